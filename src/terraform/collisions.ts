import { type AwsContext, isApiUnavailable } from "../aws/clients.js";
import { describeRepository, repositoryTags } from "../aws/ecr.js";
import { describeCluster } from "../aws/eks.js";
import { getInstanceProfile, getOidcProvider, getRole } from "../aws/iam.js";
import { getCallerIdentity } from "../aws/identity.js";
import { bucketExists, bucketTags, findLogGroup, kmsAliasExists, logGroupTags } from "../aws/lookups.js";
import type { ProjectIdentity } from "../config/naming.js";
import { type Ownership, ownership } from "../config/ownership.js";
import { awsErrorName, messageOf } from "../errors.js";
import type { PlanSummary } from "./plan.js";

/**
 * A resource the plan would create whose name already exists in AWS. `owner` is the one ownership
 * rule's verdict on it: only one that is ours may be adopted with `terraform import`; one tagged for
 * another project or environment, or whose tags could not be read, is never imported.
 */
export interface Collision {
  address: string;
  type: string;
  name: string;
  importId: string;
  owner: Ownership;
}

/**
 * Pure: may `triton-ops import` adopt it? What the ownership rule calls ours, and an untagged OIDC
 * provider (named by its URL, which is the planned cluster's own issuer, so nothing else can own it).
 * Never one tagged for another project or environment, nor one whose tags could not be read.
 */
export function isAdoptable(c: Pick<Collision, "owner" | "type">): boolean {
  return (
    c.owner.verdict === "ours" ||
    (c.owner.verdict === "unrelated" && c.type === "aws_iam_openid_connect_provider")
  );
}

/** Pure: one line on why a collision may not be adopted, or undefined when it may. */
export function refusalReason(c: Pick<Collision, "owner" | "type">): string | undefined {
  if (isAdoptable(c)) return undefined;
  switch (c.owner.verdict) {
    case "foreign":
      return `not the project's: ${c.owner.why}`;
    case "unknown":
      return `ownership unknown: ${c.owner.why}`;
    default:
      return "nothing ties it to the project";
  }
}

/** What to look up for a planned create, by resource type; the import id format is the provider's. */
export interface Candidate {
  address: string;
  type: CollidingType;
  name: string;
}

export type CollidingType =
  | "aws_iam_role"
  | "aws_iam_instance_profile"
  | "aws_iam_openid_connect_provider"
  | "aws_ecr_repository"
  | "aws_eks_cluster"
  | "aws_s3_bucket"
  | "aws_cloudwatch_log_group"
  | "aws_kms_alias";

const NAME_ATTRIBUTE: Record<CollidingType, string> = {
  aws_iam_role: "name",
  aws_iam_instance_profile: "name",
  aws_iam_openid_connect_provider: "url",
  aws_ecr_repository: "name",
  aws_eks_cluster: "name",
  aws_s3_bucket: "bucket",
  aws_cloudwatch_log_group: "name",
  aws_kms_alias: "name",
};

/** Pure: can a resource of this type already exist under its name (and be adopted by import)? */
export function isCollidingType(type: string): type is CollidingType {
  return type in NAME_ATTRIBUTE;
}

/** Pure: the planned creates whose names are known now and could already exist. */
export function collisionCandidates(summary: PlanSummary): Candidate[] {
  const out: Candidate[] = [];
  for (const change of summary.changes) {
    if (change.kind !== "create" || !isCollidingType(change.type)) continue;
    const type = change.type;
    const name = change.after?.[NAME_ATTRIBUTE[type]];
    if (typeof name === "string" && name.length > 0) out.push({ address: change.address, type, name });
  }
  return out;
}

interface Existing {
  importId: string;
  /** Undefined: there are tags, but they could not be read (`unreadable` says why). */
  tags: Record<string, string> | undefined;
  unreadable?: string;
}

/** Reads the tags of a resource that exists; a failure leaves them unreadable, never "no tags". */
async function withTags(importId: string, read: () => Promise<Record<string, string>>): Promise<Existing> {
  try {
    return { importId, tags: await read() };
  } catch (error) {
    return { importId, tags: undefined, unreadable: awsErrorName(error) ?? messageOf(error) };
  }
}

/** Looks each candidate up; its import id and tags when it exists. Absent APIs count as "not found". */
async function existing(
  aws: AwsContext,
  c: Candidate,
  accountId: () => Promise<string>,
): Promise<Existing | undefined> {
  try {
    switch (c.type) {
      case "aws_iam_role": {
        const role = await getRole(aws, c.name);
        return role ? { importId: c.name, tags: role.tags } : undefined;
      }
      case "aws_iam_instance_profile": {
        const profile = await getInstanceProfile(aws, c.name);
        return profile ? { importId: c.name, tags: profile.tags } : undefined;
      }
      case "aws_iam_openid_connect_provider": {
        const host = c.name.replace(/^https:\/\//, "");
        const arn = `arn:aws:iam::${await accountId()}:oidc-provider/${host}`;
        const provider = await getOidcProvider(aws, arn);
        return provider ? { importId: arn, tags: provider.tags } : undefined;
      }
      case "aws_ecr_repository": {
        const repo = await describeRepository(aws, c.name);
        if (!repo) return undefined;
        const arn = repo.arn;
        return arn ? withTags(c.name, () => repositoryTags(aws, arn)) : { importId: c.name, tags: {} };
      }
      case "aws_eks_cluster": {
        const cluster = await describeCluster(aws, c.name);
        return cluster ? { importId: c.name, tags: cluster.tags } : undefined;
      }
      case "aws_s3_bucket":
        return (await bucketExists(aws, c.name))
          ? withTags(c.name, () => bucketTags(aws, c.name))
          : undefined;
      case "aws_cloudwatch_log_group": {
        const group = await findLogGroup(aws, c.name);
        return group ? withTags(c.name, () => logGroupTags(aws, group.arn)) : undefined;
      }
      case "aws_kms_alias":
        // Aliases carry no tags: the name decides.
        return (await kmsAliasExists(aws, c.name)) ? { importId: c.name, tags: {} } : undefined;
    }
  } catch (error) {
    if (isApiUnavailable(error)) return undefined;
    throw error;
  }
}

/**
 * Which of these resources, about to be created under these names, already exist outside the state,
 * each with the ownership rule's verdict from its tags.
 */
export async function findExisting(
  aws: AwsContext,
  candidates: readonly Candidate[],
  project: ProjectIdentity,
): Promise<Collision[]> {
  if (candidates.length === 0) return [];
  let account: Promise<string> | undefined;
  const accountId = () => {
    account ??= getCallerIdentity(aws).then((i) => i.account);
    return account;
  };
  const found = await Promise.all(candidates.map((c) => existing(aws, c, accountId)));
  return candidates.flatMap((c, i) => {
    const e = found[i];
    if (!e) return [];
    const owner = ownership(
      { type: ORPHAN_TYPE[c.type], name: c.name, tags: e.tags, tagsUnreadable: e.unreadable },
      project,
    );
    return [{ address: c.address, type: c.type, name: c.name, importId: e.importId, owner }];
  });
}

/** The ownership rule's type names (orphan-scan's), for the types whose names have special forms. */
const ORPHAN_TYPE: Record<CollidingType, string> = {
  aws_iam_role: "iam-role",
  aws_iam_instance_profile: "iam-instance-profile",
  aws_iam_openid_connect_provider: "iam-oidc-provider",
  aws_ecr_repository: "ecr-repository",
  aws_eks_cluster: "eks-cluster",
  aws_s3_bucket: "s3-bucket",
  aws_cloudwatch_log_group: "log-group",
  aws_kms_alias: "kms-alias",
};

export function findCollisions(
  aws: AwsContext,
  summary: PlanSummary,
  project: ProjectIdentity,
): Promise<Collision[]> {
  return findExisting(aws, collisionCandidates(summary), project);
}

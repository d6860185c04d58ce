import { type AwsContext, isApiUnavailable } from "../aws/clients.js";
import { describeRepository } from "../aws/ecr.js";
import { describeCluster } from "../aws/eks.js";
import { getInstanceProfile, getOidcProvider, getRole } from "../aws/iam.js";
import { getCallerIdentity } from "../aws/identity.js";
import { bucketExists, kmsAliasExists, logGroupExists } from "../aws/lookups.js";
import type { PlanSummary } from "./plan.js";

/** A resource the plan would create whose name already exists in AWS: `terraform import` adopts it. */
export interface Collision {
  address: string;
  type: string;
  name: string;
  importId: string;
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

/** Looks each candidate up; returns its import id when it exists. Absent APIs count as "not found". */
async function existingId(
  aws: AwsContext,
  c: Candidate,
  accountId: () => Promise<string>,
): Promise<string | undefined> {
  try {
    switch (c.type) {
      case "aws_iam_role":
        return (await getRole(aws, c.name)) ? c.name : undefined;
      case "aws_iam_instance_profile":
        return (await getInstanceProfile(aws, c.name)) ? c.name : undefined;
      case "aws_iam_openid_connect_provider": {
        const host = c.name.replace(/^https:\/\//, "");
        const arn = `arn:aws:iam::${await accountId()}:oidc-provider/${host}`;
        return (await getOidcProvider(aws, arn)) ? arn : undefined;
      }
      case "aws_ecr_repository":
        return (await describeRepository(aws, c.name)) ? c.name : undefined;
      case "aws_eks_cluster":
        return (await describeCluster(aws, c.name)) ? c.name : undefined;
      case "aws_s3_bucket":
        return (await bucketExists(aws, c.name)) ? c.name : undefined;
      case "aws_cloudwatch_log_group":
        return (await logGroupExists(aws, c.name)) ? c.name : undefined;
      case "aws_kms_alias":
        return (await kmsAliasExists(aws, c.name)) ? c.name : undefined;
    }
  } catch (error) {
    if (isApiUnavailable(error)) return undefined;
    throw error;
  }
}

/** Which of these resources, about to be created under these names, already exist outside the state. */
export async function findExisting(aws: AwsContext, candidates: readonly Candidate[]): Promise<Collision[]> {
  if (candidates.length === 0) return [];
  let account: Promise<string> | undefined;
  const accountId = () => {
    account ??= getCallerIdentity(aws).then((i) => i.account);
    return account;
  };
  const ids = await Promise.all(candidates.map((c) => existingId(aws, c, accountId)));
  return candidates.flatMap((c, i) => {
    const importId = ids[i];
    return importId ? [{ address: c.address, type: c.type, name: c.name, importId }] : [];
  });
}

export function findCollisions(aws: AwsContext, summary: PlanSummary): Promise<Collision[]> {
  return findExisting(aws, collisionCandidates(summary));
}

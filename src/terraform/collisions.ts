import { type AwsContext, awsClientConfig, isApiUnavailable } from "../aws/clients.js";
import { awsErrorName } from "../errors.js";
import type { PlanSummary } from "./plan.js";

/** A resource the plan would create whose name already exists in AWS: `terraform import` adopts it. */
export interface Collision {
  address: string;
  type: string;
  name: string;
  importId: string;
}

/** What to look up for a planned create, by resource type; the import id format is the provider's. */
interface Candidate {
  address: string;
  type: CollidingType;
  name: string;
}

type CollidingType =
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

/** Pure: the planned creates whose names are known now and could already exist. */
export function collisionCandidates(summary: PlanSummary): Candidate[] {
  const out: Candidate[] = [];
  for (const change of summary.changes) {
    if (change.kind !== "create" || !(change.type in NAME_ATTRIBUTE)) continue;
    const type = change.type as CollidingType;
    const name = change.after?.[NAME_ATTRIBUTE[type]];
    if (typeof name === "string" && name.length > 0) out.push({ address: change.address, type, name });
  }
  return out;
}

const MISSING = new Set([
  "NoSuchEntity",
  "NoSuchEntityException",
  "RepositoryNotFoundException",
  "ResourceNotFoundException",
  "NotFound",
  "NoSuchBucket",
]);

/** Looks each candidate up; returns its import id when it exists. Absent APIs count as "not found". */
async function existingId(
  aws: AwsContext,
  c: Candidate,
  accountId: () => Promise<string>,
): Promise<string | undefined> {
  try {
    switch (c.type) {
      case "aws_iam_role": {
        const { IAMClient, GetRoleCommand } = await import("@aws-sdk/client-iam");
        const iam = new IAMClient(awsClientConfig(aws, "IAM"));
        await iam.send(new GetRoleCommand({ RoleName: c.name })).finally(() => iam.destroy());
        return c.name;
      }
      case "aws_iam_instance_profile": {
        const { IAMClient, GetInstanceProfileCommand } = await import("@aws-sdk/client-iam");
        const iam = new IAMClient(awsClientConfig(aws, "IAM"));
        await iam
          .send(new GetInstanceProfileCommand({ InstanceProfileName: c.name }))
          .finally(() => iam.destroy());
        return c.name;
      }
      case "aws_iam_openid_connect_provider": {
        const { IAMClient, GetOpenIDConnectProviderCommand } = await import("@aws-sdk/client-iam");
        const iam = new IAMClient(awsClientConfig(aws, "IAM"));
        const host = c.name.replace(/^https:\/\//, "");
        const arn = `arn:aws:iam::${await accountId()}:oidc-provider/${host}`;
        await iam
          .send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))
          .finally(() => iam.destroy());
        return arn;
      }
      case "aws_ecr_repository": {
        const { ECRClient, DescribeRepositoriesCommand } = await import("@aws-sdk/client-ecr");
        const ecr = new ECRClient(awsClientConfig(aws, "ECR"));
        await ecr
          .send(new DescribeRepositoriesCommand({ repositoryNames: [c.name] }))
          .finally(() => ecr.destroy());
        return c.name;
      }
      case "aws_eks_cluster": {
        const { EKSClient, DescribeClusterCommand } = await import("@aws-sdk/client-eks");
        const eks = new EKSClient(awsClientConfig(aws, "EKS"));
        await eks.send(new DescribeClusterCommand({ name: c.name })).finally(() => eks.destroy());
        return c.name;
      }
      case "aws_s3_bucket": {
        const { S3Client, HeadBucketCommand } = await import("@aws-sdk/client-s3");
        const s3 = new S3Client(awsClientConfig(aws, "S3"));
        await s3.send(new HeadBucketCommand({ Bucket: c.name })).finally(() => s3.destroy());
        return c.name;
      }
      case "aws_cloudwatch_log_group": {
        const { CloudWatchLogsClient, DescribeLogGroupsCommand } = await import(
          "@aws-sdk/client-cloudwatch-logs"
        );
        const logs = new CloudWatchLogsClient(awsClientConfig(aws, "CLOUDWATCH_LOGS"));
        const out = await logs
          .send(new DescribeLogGroupsCommand({ logGroupNamePrefix: c.name }))
          .finally(() => logs.destroy());
        return out.logGroups?.some((g) => g.logGroupName === c.name) ? c.name : undefined;
      }
      case "aws_kms_alias": {
        const { KMSClient, ListAliasesCommand } = await import("@aws-sdk/client-kms");
        const kms = new KMSClient(awsClientConfig(aws, "KMS"));
        try {
          let marker: string | undefined;
          do {
            const page = await kms.send(new ListAliasesCommand({ Marker: marker, Limit: 100 }));
            if (page.Aliases?.some((a) => a.AliasName === c.name)) return c.name;
            marker = page.NextMarker;
          } while (marker);
          return undefined;
        } finally {
          kms.destroy();
        }
      }
    }
  } catch (error) {
    const name = awsErrorName(error);
    if ((name && MISSING.has(name)) || isApiUnavailable(error)) return undefined;
    throw error;
  }
}

export async function findCollisions(aws: AwsContext, summary: PlanSummary): Promise<Collision[]> {
  const candidates = collisionCandidates(summary);
  if (candidates.length === 0) return [];
  let account: Promise<string> | undefined;
  const accountId = () => {
    account ??= import("../aws/identity.js").then((m) => m.getCallerIdentity(aws)).then((i) => i.account);
    return account;
  };
  const ids = await Promise.all(candidates.map((c) => existingId(aws, c, accountId)));
  return candidates.flatMap((c, i) => {
    const importId = ids[i];
    return importId ? [{ address: c.address, type: c.type, name: c.name, importId }] : [];
  });
}

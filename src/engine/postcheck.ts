import { type AwsContext, awsClientConfig } from "../aws/clients.js";
import type { StageName } from "../config/schema.js";
import { awsErrorName } from "../errors.js";
import { outputOf, type ProjectOutputs, type TerraformStage } from "../stages.js";

/** One thing that must exist in AWS after a stage is applied. */
export interface KeyResource {
  kind: "vpc" | "iam-role" | "ecr-repository" | "s3-bucket" | "eks-cluster" | "eks-nodegroup";
  id: string;
  /** For node groups: the cluster. */
  parent?: string;
}

/** Pure: the key resources of a stage, read from its outputs. */
export function keyResources(stage: TerraformStage, outputs: ProjectOutputs): KeyResource[] {
  const str = (s: TerraformStage, name: string) => {
    const v = outputOf(outputs, s, name);
    return typeof v === "string" && v.length > 0 ? v : undefined;
  };
  const list: Array<KeyResource | undefined> = [];
  switch (stage) {
    case "vpc":
      list.push(res("vpc", str("vpc", "vpc_id")));
      break;
    case "iam":
      list.push(
        res("iam-role", str("iam", "cluster_role_name")),
        res("iam-role", str("iam", "node_role_name")),
      );
      list.push(res("iam-role", str("iam", "github_actions_role_name")));
      break;
    case "ecr":
      list.push(
        res("ecr-repository", str("ecr", "repository_name")),
        res("s3-bucket", str("ecr", "model_bucket_name")),
      );
      break;
    case "eks":
      list.push(res("eks-cluster", str("eks", "cluster_name")));
      break;
    case "gpu-nodes": {
      const cluster = str("eks", "cluster_name");
      const group = str("gpu-nodes", "gpu_node_group_name");
      if (cluster && group) list.push({ kind: "eks-nodegroup", id: group, parent: cluster });
      break;
    }
  }
  return list.filter((r): r is KeyResource => r !== undefined);
}

function res(kind: KeyResource["kind"], id: string | undefined): KeyResource | undefined {
  return id ? { kind, id } : undefined;
}

const NOT_FOUND = new Set([
  "NoSuchEntity",
  "NoSuchEntityException",
  "RepositoryNotFoundException",
  "ResourceNotFoundException",
  "NotFound",
  "NoSuchBucket",
  "InvalidVpcID.NotFound",
]);

/** Returns a problem description, or undefined when the resource exists (and is healthy). */
export async function checkKeyResource(aws: AwsContext, resource: KeyResource): Promise<string | undefined> {
  try {
    switch (resource.kind) {
      case "vpc": {
        const { EC2Client, DescribeVpcsCommand } = await import("@aws-sdk/client-ec2");
        const ec2 = new EC2Client(awsClientConfig(aws, "EC2"));
        const out = await ec2
          .send(new DescribeVpcsCommand({ VpcIds: [resource.id] }))
          .finally(() => ec2.destroy());
        return out.Vpcs?.length ? undefined : `VPC ${resource.id} not found`;
      }
      case "iam-role": {
        const { IAMClient, GetRoleCommand } = await import("@aws-sdk/client-iam");
        const iam = new IAMClient(awsClientConfig(aws, "IAM"));
        await iam.send(new GetRoleCommand({ RoleName: resource.id })).finally(() => iam.destroy());
        return undefined;
      }
      case "ecr-repository": {
        const { ECRClient, DescribeRepositoriesCommand } = await import("@aws-sdk/client-ecr");
        const ecr = new ECRClient(awsClientConfig(aws, "ECR"));
        await ecr
          .send(new DescribeRepositoriesCommand({ repositoryNames: [resource.id] }))
          .finally(() => ecr.destroy());
        return undefined;
      }
      case "s3-bucket": {
        const { S3Client, HeadBucketCommand } = await import("@aws-sdk/client-s3");
        const s3 = new S3Client(awsClientConfig(aws, "S3"));
        await s3.send(new HeadBucketCommand({ Bucket: resource.id })).finally(() => s3.destroy());
        return undefined;
      }
      case "eks-cluster": {
        const { EKSClient, DescribeClusterCommand } = await import("@aws-sdk/client-eks");
        const eks = new EKSClient(awsClientConfig(aws, "EKS"));
        const out = await eks
          .send(new DescribeClusterCommand({ name: resource.id }))
          .finally(() => eks.destroy());
        const status = out.cluster?.status;
        return status === "ACTIVE"
          ? undefined
          : `EKS cluster ${resource.id} is ${status ?? "unknown"}, not ACTIVE`;
      }
      case "eks-nodegroup": {
        const { EKSClient, DescribeNodegroupCommand } = await import("@aws-sdk/client-eks");
        const eks = new EKSClient(awsClientConfig(aws, "EKS"));
        const out = await eks
          .send(new DescribeNodegroupCommand({ clusterName: resource.parent, nodegroupName: resource.id }))
          .finally(() => eks.destroy());
        const status = out.nodegroup?.status;
        const issues = out.nodegroup?.health?.issues ?? [];
        if (issues.length > 0)
          return `node group ${resource.id}: ${issues.map((i) => `${i.code}: ${i.message}`).join("; ")}`;
        return status === "ACTIVE" || status === "CREATING" || status === "UPDATING"
          ? undefined
          : `node group ${resource.id} is ${status ?? "unknown"}`;
      }
    }
  } catch (error) {
    const name = awsErrorName(error);
    if (name && NOT_FOUND.has(name)) return `${resource.kind} ${resource.id} not found in AWS`;
    throw error;
  }
}

/** The stage's post-check: every key resource exists; problems listed. */
export async function postCheck(
  aws: AwsContext,
  stage: StageName,
  outputs: ProjectOutputs,
): Promise<string[]> {
  if (stage === "workloads") return [];
  const results = await Promise.all(keyResources(stage, outputs).map((r) => checkKeyResource(aws, r)));
  return results.filter((r): r is string => r !== undefined);
}

import type { AwsContext } from "../aws/clients.js";
import { describeVpcs } from "../aws/ec2.js";
import { describeRepository } from "../aws/ecr.js";
import { describeCluster, describeNodegroup } from "../aws/eks.js";
import { getRole } from "../aws/iam.js";
import { bucketExists } from "../aws/lookups.js";
import type { StageName } from "../config/schema.js";
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

/** Returns a problem description, or undefined when the resource exists (and is healthy). */
export async function checkKeyResource(aws: AwsContext, resource: KeyResource): Promise<string | undefined> {
  const missing = `${resource.kind} ${resource.id} not found in AWS`;
  switch (resource.kind) {
    case "vpc":
      return (await describeVpcs(aws, { ids: [resource.id] })).length
        ? undefined
        : `VPC ${resource.id} not found`;
    case "iam-role":
      return (await getRole(aws, resource.id)) ? undefined : missing;
    case "ecr-repository":
      return (await describeRepository(aws, resource.id)) ? undefined : missing;
    case "s3-bucket":
      return (await bucketExists(aws, resource.id)) ? undefined : missing;
    case "eks-cluster": {
      const cluster = await describeCluster(aws, resource.id);
      if (!cluster) return missing;
      return cluster.status === "ACTIVE"
        ? undefined
        : `EKS cluster ${resource.id} is ${cluster.status}, not ACTIVE`;
    }
    case "eks-nodegroup": {
      const group = await describeNodegroup(aws, resource.parent ?? "", resource.id);
      if (!group) return missing;
      if (group.issues.length > 0)
        return `node group ${resource.id}: ${group.issues.map((i) => `${i.code}: ${i.message}`).join("; ")}`;
      return group.status === "ACTIVE" || group.status === "CREATING" || group.status === "UPDATING"
        ? undefined
        : `node group ${resource.id} is ${group.status}`;
    }
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

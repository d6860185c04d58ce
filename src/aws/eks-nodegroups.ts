import { awsErrorName } from "../errors.js";
import { type AwsContext, awsClientConfig, toAwsError } from "./clients.js";

/**
 * ListNodegroups + DescribeNodegroup: each managed node group's AMI type (AL2023_x86_64_NVIDIA, ...),
 * keyed by node group name. Empty when the cluster does not exist.
 */
export async function nodeGroupAmiTypes(aws: AwsContext, cluster: string): Promise<Map<string, string>> {
  const { EKSClient, paginateListNodegroups, DescribeNodegroupCommand } = await import("@aws-sdk/client-eks");
  const eks = new EKSClient(awsClientConfig(aws, "EKS"));
  try {
    const names: string[] = [];
    for await (const page of paginateListNodegroups({ client: eks }, { clusterName: cluster })) {
      names.push(...(page.nodegroups ?? []));
    }
    const groups = await Promise.all(
      names.map((nodegroupName) =>
        eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName })),
      ),
    );
    const amiTypes = new Map<string, string>();
    for (const { nodegroup } of groups) {
      if (nodegroup?.nodegroupName && nodegroup.amiType)
        amiTypes.set(nodegroup.nodegroupName, nodegroup.amiType);
    }
    return amiTypes;
  } catch (error) {
    if (awsErrorName(error) === "ResourceNotFoundException") return new Map();
    throw toAwsError(error, `list the node groups of EKS cluster ${cluster}`);
  } finally {
    eks.destroy();
  }
}

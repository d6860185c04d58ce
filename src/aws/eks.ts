import { awsErrorName } from "../errors.js";
import { type AwsContext, awsClientConfig, toAwsError } from "./clients.js";

export interface EksCluster {
  name: string;
  status: string;
  endpoint: string | undefined;
  certificateAuthorityData: string | undefined;
  version: string | undefined;
}

/** DescribeCluster; undefined when there is no such cluster. */
export async function describeCluster(aws: AwsContext, name: string): Promise<EksCluster | undefined> {
  const { EKSClient, DescribeClusterCommand } = await import("@aws-sdk/client-eks");
  const eks = new EKSClient(awsClientConfig(aws, "EKS"));
  try {
    const out = await eks.send(new DescribeClusterCommand({ name }));
    const c = out.cluster;
    return {
      name,
      status: c?.status ?? "UNKNOWN",
      endpoint: c?.endpoint,
      certificateAuthorityData: c?.certificateAuthority?.data,
      version: c?.version,
    };
  } catch (error) {
    if (awsErrorName(error) === "ResourceNotFoundException") return undefined;
    throw toAwsError(error, `describe EKS cluster ${name}`);
  } finally {
    eks.destroy();
  }
}

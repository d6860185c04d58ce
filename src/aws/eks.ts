import {
  type AwsContext,
  awsClientConfig,
  isApiUnavailable,
  isNotFound,
  unlessNotFound,
  using,
} from "./clients.js";
import { sdk } from "./sdk.js";

// The EKS calls the product makes, one function each. A resource that is not there comes back as
// undefined; any other failure is the SDK's error, for the caller to report (toAwsError) or to count as
// unknown.

export interface EksCluster {
  name: string;
  arn: string | undefined;
  status: string;
  endpoint: string | undefined;
  certificateAuthorityData: string | undefined;
  version: string | undefined;
  vpcId: string | undefined;
  subnetIds: string[];
  tags: Record<string, string>;
  createdAt: Date | undefined;
  /** EKS's own defaults when a field is absent: public on, private off. */
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
  publicAccessCidrs: string[];
}

const eksClient = (aws: AwsContext) => new (sdk.eks().EKSClient)(awsClientConfig(aws, "EKS"));

/** eks:DescribeCluster. */
export async function describeCluster(aws: AwsContext, name: string): Promise<EksCluster | undefined> {
  const { DescribeClusterCommand } = sdk.eks();
  const out = await using(eksClient(aws), (eks) =>
    unlessNotFound(eks.send(new DescribeClusterCommand({ name }))),
  );
  if (!out) return undefined;
  const c = out.cluster;
  return {
    name,
    arn: c?.arn,
    status: c?.status ?? "UNKNOWN",
    endpoint: c?.endpoint,
    certificateAuthorityData: c?.certificateAuthority?.data,
    version: c?.version,
    vpcId: c?.resourcesVpcConfig?.vpcId,
    subnetIds: c?.resourcesVpcConfig?.subnetIds ?? [],
    tags: c?.tags ?? {},
    createdAt: c?.createdAt,
    endpointPublicAccess: c?.resourcesVpcConfig?.endpointPublicAccess ?? true,
    endpointPrivateAccess: c?.resourcesVpcConfig?.endpointPrivateAccess ?? false,
    publicAccessCidrs: c?.resourcesVpcConfig?.publicAccessCidrs ?? [],
  };
}

/** eks:ListNodegroups, every page; a cluster that is not there has none. */
export async function listNodegroups(aws: AwsContext, clusterName: string): Promise<string[]> {
  const { paginateListNodegroups } = sdk.eks();
  return using(eksClient(aws), async (client) => {
    const names: string[] = [];
    try {
      for await (const page of paginateListNodegroups({ client }, { clusterName }))
        names.push(...(page.nodegroups ?? []));
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    return names;
  });
}

export interface EksNodegroup {
  name: string;
  cluster: string;
  arn: string | undefined;
  status: string;
  desiredSize: number | undefined;
  instanceTypes: string[] | undefined;
  nodeRoleArn: string | undefined;
  amiType: string | undefined;
  labels: Record<string, string>;
  autoScalingGroups: string[];
  issues: Array<{ code: string; message: string; resourceIds: string[] }>;
  tags: Record<string, string>;
  createdAt: Date | undefined;
}

/** eks:DescribeNodegroup. */
export async function describeNodegroup(
  aws: AwsContext,
  clusterName: string,
  nodegroupName: string,
): Promise<EksNodegroup | undefined> {
  const { DescribeNodegroupCommand } = sdk.eks();
  const out = await using(eksClient(aws), (eks) =>
    unlessNotFound(eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }))),
  );
  if (!out) return undefined;
  const n = out.nodegroup;
  return {
    name: n?.nodegroupName ?? nodegroupName,
    cluster: clusterName,
    arn: n?.nodegroupArn,
    status: n?.status ?? "UNKNOWN",
    desiredSize: n?.scalingConfig?.desiredSize,
    instanceTypes: n?.instanceTypes,
    nodeRoleArn: n?.nodeRole,
    amiType: n?.amiType,
    labels: n?.labels ?? {},
    autoScalingGroups: (n?.resources?.autoScalingGroups ?? []).map((a) => a.name ?? ""),
    issues: (n?.health?.issues ?? []).map((i) => ({
      code: i.code ?? "Unknown",
      message: i.message ?? "",
      resourceIds: i.resourceIds ?? [],
    })),
    tags: n?.tags ?? {},
    createdAt: n?.createdAt,
  };
}

export interface AccessPolicy {
  /** e.g. arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy */
  policyArn: string;
  scope: "cluster" | "namespace";
  namespaces: string[];
}

/**
 * eks:ListAssociatedAccessPolicies, every page. Undefined when the principal has no access entry;
 * `"unavailable"` when the API itself is absent (the emulator answers 404 without an error code).
 */
export async function listAccessPolicies(
  aws: AwsContext,
  clusterName: string,
  principalArn: string,
): Promise<AccessPolicy[] | undefined | "unavailable"> {
  const { ListAssociatedAccessPoliciesCommand } = sdk.eks();
  return using(eksClient(aws), async (eks) => {
    const out: AccessPolicy[] = [];
    try {
      let nextToken: string | undefined;
      do {
        const page = await eks.send(
          new ListAssociatedAccessPoliciesCommand({ clusterName, principalArn, nextToken }),
        );
        for (const p of page.associatedAccessPolicies ?? []) {
          out.push({
            policyArn: p.policyArn ?? "",
            scope: p.accessScope?.type === "namespace" ? "namespace" : "cluster",
            namespaces: p.accessScope?.namespaces ?? [],
          });
        }
        nextToken = page.nextToken;
      } while (nextToken);
      return out;
    } catch (error) {
      if (isApiUnavailable(error)) return "unavailable";
      if (isNotFound(error)) return undefined;
      throw error;
    }
  });
}

/** Each managed node group's AMI type (AL2023_x86_64_NVIDIA, ...), by name; empty for a cluster not there. */
export async function nodeGroupAmiTypes(aws: AwsContext, cluster: string): Promise<Map<string, string>> {
  const names = await listNodegroups(aws, cluster);
  const groups = await Promise.all(names.map((name) => describeNodegroup(aws, cluster, name)));
  const amiTypes = new Map<string, string>();
  for (const g of groups) if (g?.amiType) amiTypes.set(g.name, g.amiType);
  return amiTypes;
}

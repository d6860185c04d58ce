// The shape of what an AWS inventory finds: defined here, beside the calls that fill it, so orphan-scan
// (src/orphans/) and the teardown read one type without aws/ importing a use case.
/** What the inventory finds, before classification. One shape for every AWS resource type. */
export const RESOURCE_TYPES = [
  "eks-nodegroup",
  "eks-cluster",
  "load-balancer",
  "classic-load-balancer",
  "nat-gateway",
  "elastic-ip",
  "network-interface",
  "security-group",
  "internet-gateway",
  "subnet",
  "route-table",
  "vpc",
  "ebs-volume",
  "ecr-repository",
  "s3-bucket",
  "log-group",
  "iam-role",
  "iam-instance-profile",
  "iam-oidc-provider",
  "iam-policy",
  "kms-alias",
  "kms-key",
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** IAM and S3 listings are account-wide; their region column says so. */
export const GLOBAL_REGION = "global";

export interface FoundResource {
  type: ResourceType;
  /** What AWS (and Terraform's state) identify it by: vpc-..., a role name, an LB ARN, cluster:nodegroup. */
  id: string;
  /** The Name tag or the resource's own name. */
  name: string;
  region: string;
  arn?: string;
  /** ISO time when AWS reports it. */
  createdAt?: string;
  tags: Record<string, string>;
  /** Set when the tags could not be read (denied, failed): `tags` is then empty and ownership unknown. */
  tagsUnreadable?: string;
  /** VPCs and subnets: their IPv4 CIDR block. */
  cidr?: string;
  /** VPCs: the region's default VPC (AWS made it; never the project's). */
  isDefault?: boolean;
  /** The VPC it lives in (subnets, gateways, security groups, ENIs, route tables, LBs). */
  vpcId?: string;
  /** The EKS cluster it belongs to, where AWS says so (node groups, the cluster's log group). */
  cluster?: string;
  /** Facts the cost estimate needs. */
  sizeGb?: number;
  volumeType?: string;
  iops?: number;
  lbType?: string;
  instanceTypes?: string[];
  desiredSize?: number;
  storedBytes?: number;
  /** EIP: attached to something (a NAT gateway, an instance). */
  associated?: boolean;
  /** ENI: what created it. */
  description?: string;
}

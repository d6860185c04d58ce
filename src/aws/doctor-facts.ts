import type {
  ClusterFact,
  EcrImageFact,
  ExistingOutsideState,
  Fact,
  NodeGroupFact,
  SubnetFact,
} from "../doctor/snapshot.js";
import { awsErrorName, messageOf } from "../errors.js";
import type { TerraformStage } from "../stages.js";
import type { PlanSummary } from "../terraform/plan.js";
import { type AwsContext, awsClientConfig, isApiUnavailable } from "./clients.js";

/** A resource the next plan of a stack would create, by its derived name. */
export interface PlannedCreate {
  stack: TerraformStage;
  address: string;
  type: string;
  name: string;
}

/**
 * The few AWS reads doctor makes, each only when a symptom asks for it (STYLE 3). Every method answers
 * "unknown" instead of failing: an absent API (moto gaps), a denied call or no credentials must not stop
 * the other checks. `notes` says why a fact is unknown.
 */
export interface DoctorAws {
  describeCluster(name: string): Promise<Fact<ClusterFact>>;
  ecrImage(
    image: string,
    repository: string,
    registryId: string,
    region: string,
    version: { tag?: string; digest?: string },
  ): Promise<Fact<EcrImageFact>>;
  rolePolicies(roleName: string): Promise<Fact<{ name: string; attachedPolicies: string[] }>>;
  nodeGroups(cluster: string): Promise<Fact<NodeGroupFact[]>>;
  subnets(ids: string[]): Promise<Fact<SubnetFact[]>>;
  existingOutsideState(creates: PlannedCreate[]): Promise<Fact<ExistingOutsideState[]>>;
  readonly notes: string[];
}

export function createDoctorAws(aws: AwsContext): DoctorAws {
  const notes: string[] = [];
  const unknown = (what: string, error: unknown): "unknown" => {
    const name = awsErrorName(error);
    const why = isApiUnavailable(error)
      ? "API not available here"
      : `${name ?? "Error"}: ${messageOf(error).split("\n")[0]}`;
    notes.push(`AWS: could not ${what} (${why}); treated as unknown.`);
    return "unknown";
  };

  return {
    notes,
    async describeCluster(name) {
      const { EKSClient, DescribeClusterCommand } = await import("@aws-sdk/client-eks");
      const eks = new EKSClient(awsClientConfig(aws, "EKS"));
      try {
        const out = await eks.send(new DescribeClusterCommand({ name }));
        return {
          name,
          exists: true,
          ...(out.cluster?.status ? { status: out.cluster.status } : {}),
          ...(out.cluster?.version ? { version: out.cluster.version } : {}),
          subnetIds: out.cluster?.resourcesVpcConfig?.subnetIds ?? [],
        };
      } catch (error) {
        if (awsErrorName(error) === "ResourceNotFoundException") return { name, exists: false };
        return unknown(`describe EKS cluster ${name}`, error);
      } finally {
        eks.destroy();
      }
    },

    async ecrImage(image, repository, registryId, region, version) {
      const { ECRClient, DescribeRepositoriesCommand, DescribeImagesCommand } = await import(
        "@aws-sdk/client-ecr"
      );
      const ecr = new ECRClient(awsClientConfig({ ...aws, region }, "ECR"));
      try {
        try {
          await ecr.send(new DescribeRepositoriesCommand({ registryId, repositoryNames: [repository] }));
        } catch (error) {
          if (awsErrorName(error) === "RepositoryNotFoundException") {
            return { image, repository, repositoryExists: false };
          }
          throw error;
        }
        try {
          const out = await ecr.send(
            new DescribeImagesCommand({
              registryId,
              repositoryName: repository,
              imageIds: [
                version.digest ? { imageDigest: version.digest } : { imageTag: version.tag ?? "latest" },
              ],
            }),
          );
          return {
            image,
            repository,
            repositoryExists: true,
            imageExists: (out.imageDetails ?? []).length > 0,
          };
        } catch (error) {
          if (awsErrorName(error) === "ImageNotFoundException") {
            return { image, repository, repositoryExists: true, imageExists: false };
          }
          throw error;
        }
      } catch (error) {
        return unknown(`look up ${image} in ECR`, error);
      } finally {
        ecr.destroy();
      }
    },

    async rolePolicies(roleName) {
      const { IAMClient, ListAttachedRolePoliciesCommand } = await import("@aws-sdk/client-iam");
      const iam = new IAMClient(awsClientConfig(aws, "IAM"));
      try {
        const names: string[] = [];
        let marker: string | undefined;
        do {
          const page = await iam.send(
            new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }),
          );
          for (const p of page.AttachedPolicies ?? []) if (p.PolicyName) names.push(p.PolicyName);
          marker = page.IsTruncated ? page.Marker : undefined;
        } while (marker);
        return { name: roleName, attachedPolicies: names };
      } catch (error) {
        return unknown(`list the policies of role ${roleName}`, error);
      } finally {
        iam.destroy();
      }
    },

    async nodeGroups(cluster) {
      const { EKSClient, ListNodegroupsCommand, DescribeNodegroupCommand } = await import(
        "@aws-sdk/client-eks"
      );
      const eks = new EKSClient(awsClientConfig(aws, "EKS"));
      try {
        const names: string[] = [];
        let token: string | undefined;
        do {
          const page = await eks.send(new ListNodegroupsCommand({ clusterName: cluster, nextToken: token }));
          names.push(...(page.nodegroups ?? []));
          token = page.nextToken;
        } while (token);
        const groups = await Promise.all(
          names.map((nodegroupName) =>
            eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName })),
          ),
        );
        const asgNames = groups.flatMap((g) =>
          (g.nodegroup?.resources?.autoScalingGroups ?? []).map((a) => a.name ?? ""),
        );
        const instances = await instancesOf(aws, asgNames.filter(Boolean)).catch((error: unknown) => {
          unknown("list the node groups' instances", error);
          return undefined;
        });
        return groups.map((g): NodeGroupFact => {
          const n = g.nodegroup;
          const asgs = (n?.resources?.autoScalingGroups ?? []).map((a) => a.name ?? "");
          const found = asgs.map((a) => instances?.get(a));
          return {
            name: n?.nodegroupName ?? "?",
            status: n?.status ?? "UNKNOWN",
            desiredSize: n?.scalingConfig?.desiredSize ?? 0,
            instanceTypes: n?.instanceTypes ?? [],
            ...(n?.amiType ? { amiType: n.amiType } : {}),
            ...(n?.nodeRole ? { nodeRoleArn: n.nodeRole } : {}),
            issues: (n?.health?.issues ?? []).map((i) => ({
              code: i.code ?? "Unknown",
              message: i.message ?? "",
              resourceIds: i.resourceIds ?? [],
            })),
            // An Auto Scaling group EKS names but Auto Scaling does not know (the emulator) is unknown, not empty.
            instances:
              asgs.length > 0 && found.every((f) => f !== undefined)
                ? found.flatMap((f) => f ?? [])
                : "unknown",
          };
        });
      } catch (error) {
        if (awsErrorName(error) === "ResourceNotFoundException") return [];
        return unknown(`list the node groups of ${cluster}`, error);
      } finally {
        eks.destroy();
      }
    },

    async subnets(ids) {
      if (ids.length === 0) return [];
      const { EC2Client, DescribeSubnetsCommand } = await import("@aws-sdk/client-ec2");
      const ec2 = new EC2Client(awsClientConfig(aws, "EC2"));
      try {
        const out = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: ids }));
        return (out.Subnets ?? []).map((s) => ({
          id: s.SubnetId ?? "?",
          availabilityZone: s.AvailabilityZone ?? "?",
          cidr: s.CidrBlock ?? "?",
          availableIps: s.AvailableIpAddressCount ?? 0,
        }));
      } catch (error) {
        return unknown("describe the cluster's subnets", error);
      } finally {
        ec2.destroy();
      }
    },

    async existingOutsideState(creates) {
      if (creates.length === 0) return [];
      const { findCollisions } = await import("../terraform/collisions.js");
      const summary: PlanSummary = {
        add: creates.length,
        change: 0,
        destroy: 0,
        replace: 0,
        unknownAfterApply: 0,
        drifted: 0,
        empty: false,
        changes: creates.map((c) => ({
          address: c.address,
          type: c.type,
          kind: "create" as const,
          reason: undefined,
          after: { name: c.name },
        })),
      };
      try {
        const found = await findCollisions(aws, summary);
        return found.map((f) => {
          const stack = creates.find((c) => c.address === f.address && c.name === f.name)?.stack ?? "vpc";
          return { stack, address: f.address, type: f.type, name: f.name, importId: f.importId };
        });
      } catch (error) {
        return unknown("look for resources that exist outside Terraform state", error);
      }
    },
  };
}

/** Auto Scaling group name -> its instances (state, private DNS name, launch time from EC2). */
async function instancesOf(
  aws: AwsContext,
  groups: string[],
): Promise<Map<string, NonNullable<Exclude<NodeGroupFact["instances"], "unknown">>>> {
  const out = new Map<string, Exclude<NodeGroupFact["instances"], "unknown">>();
  if (groups.length === 0) return out;
  const { AutoScalingClient, DescribeAutoScalingGroupsCommand } = await import(
    "@aws-sdk/client-auto-scaling"
  );
  const asg = new AutoScalingClient(awsClientConfig(aws, "AUTO_SCALING"));
  const byGroup = new Map<string, string[]>();
  try {
    let token: string | undefined;
    do {
      const page = await asg.send(
        new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: groups, NextToken: token }),
      );
      for (const g of page.AutoScalingGroups ?? []) {
        byGroup.set(
          g.AutoScalingGroupName ?? "",
          (g.Instances ?? []).map((i) => i.InstanceId ?? "").filter(Boolean),
        );
      }
      token = page.NextToken;
    } while (token);
  } finally {
    asg.destroy();
  }
  const ids = [...byGroup.values()].flat();
  const details = new Map<string, { state: string; privateDnsName?: string; launchTime?: string }>();
  if (ids.length > 0) {
    const { EC2Client, DescribeInstancesCommand } = await import("@aws-sdk/client-ec2");
    const ec2 = new EC2Client(awsClientConfig(aws, "EC2"));
    try {
      const res = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
      for (const r of res.Reservations ?? []) {
        for (const i of r.Instances ?? []) {
          details.set(i.InstanceId ?? "", {
            state: i.State?.Name ?? "unknown",
            ...(i.PrivateDnsName ? { privateDnsName: i.PrivateDnsName } : {}),
            ...(i.LaunchTime ? { launchTime: new Date(i.LaunchTime).toISOString() } : {}),
          });
        }
      }
    } finally {
      ec2.destroy();
    }
  }
  for (const [name, list] of byGroup) {
    out.set(
      name,
      list.map((id) => ({ id, ...(details.get(id) ?? { state: "unknown" }) })),
    );
  }
  return out;
}

import { autoScalingGroupInstances } from "../aws/autoscaling.js";
import { type AwsContext, isApiUnavailable } from "../aws/clients.js";
import { describeInstances, describeSubnets } from "../aws/ec2.js";
import { describeImage, describeRepository } from "../aws/ecr.js";
import { describeCluster, describeNodegroup, listNodegroups } from "../aws/eks.js";
import { listAttachedRolePolicies } from "../aws/iam.js";
import type { ProjectIdentity } from "../config/naming.js";
import { awsErrorName, messageOf } from "../errors.js";
import type { TerraformStage } from "../stages.js";
import type {
  ClusterFact,
  EcrImageFact,
  ExistingOutsideState,
  Fact,
  NodeGroupFact,
  SubnetFact,
} from "./snapshot.js";

/** A resource the next plan of a stack would create, by its derived name. */
export interface PlannedCreate {
  stack: TerraformStage;
  address: string;
  type: string;
  name: string;
}

/**
 * The few AWS facts doctor reads, each only when a symptom asks for it: doctor's own interface, built
 * over src/aws/'s typed calls by createDoctorAws (tests hand collect() a fake). Every method answers
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

type Instances = Exclude<NodeGroupFact["instances"], "unknown">;

/** `project`: whose names the planned creates are; the ownership rule judges what exists by it. */
export function createDoctorAws(aws: AwsContext, project?: ProjectIdentity): DoctorAws {
  const notes: string[] = [];
  const unknown = (what: string, error: unknown): "unknown" => {
    const name = awsErrorName(error);
    const why = isApiUnavailable(error)
      ? "API not available here"
      : `${name ?? "Error"}: ${messageOf(error).split("\n")[0]}`;
    notes.push(`AWS: could not ${what} (${why}); treated as unknown.`);
    return "unknown";
  };

  /** Auto Scaling group name -> its instances (state, private DNS name, launch time from EC2). */
  const instancesOf = async (groups: string[]): Promise<Map<string, Instances>> => {
    const byGroup = await autoScalingGroupInstances(aws, groups);
    const details = await describeInstances(aws, [...byGroup.values()].flat());
    const out = new Map<string, Instances>();
    for (const [name, ids] of byGroup) {
      out.set(
        name,
        ids.map((id) => details.get(id) ?? { id, state: "unknown" }),
      );
    }
    return out;
  };

  return {
    notes,
    async describeCluster(name) {
      try {
        const c = await describeCluster(aws, name);
        if (!c) return { name, exists: false };
        return {
          name,
          exists: true,
          ...(c.status !== "UNKNOWN" ? { status: c.status } : {}),
          ...(c.version ? { version: c.version } : {}),
          subnetIds: c.subnetIds,
        };
      } catch (error) {
        return unknown(`describe EKS cluster ${name}`, error);
      }
    },

    async ecrImage(image, repository, registryId, region, version) {
      const inRegion = { ...aws, region };
      try {
        if (!(await describeRepository(inRegion, repository, registryId))) {
          return { image, repository, repositoryExists: false };
        }
        const found = await describeImage(
          inRegion,
          repository,
          version.digest ? { digest: version.digest } : { tag: version.tag ?? "latest" },
          registryId,
        );
        return { image, repository, repositoryExists: true, imageExists: found !== undefined };
      } catch (error) {
        return unknown(`look up ${image} in ECR`, error);
      }
    },

    async rolePolicies(roleName) {
      try {
        const attached = await listAttachedRolePolicies(aws, roleName);
        return { name: roleName, attachedPolicies: attached.map((p) => p.name).filter(Boolean) };
      } catch (error) {
        return unknown(`list the policies of role ${roleName}`, error);
      }
    },

    async nodeGroups(cluster) {
      try {
        const names = await listNodegroups(aws, cluster);
        const groups = (await Promise.all(names.map((n) => describeNodegroup(aws, cluster, n)))).filter(
          (g) => g !== undefined,
        );
        const asgNames = groups.flatMap((g) => g.autoScalingGroups).filter(Boolean);
        const instances = await instancesOf(asgNames).catch((error: unknown) => {
          unknown("list the node groups' instances", error);
          return undefined;
        });
        return groups.map((g): NodeGroupFact => {
          const found = g.autoScalingGroups.map((a) => instances?.get(a));
          return {
            name: g.name,
            status: g.status,
            desiredSize: g.desiredSize ?? 0,
            instanceTypes: g.instanceTypes ?? [],
            ...(g.amiType ? { amiType: g.amiType } : {}),
            ...(g.nodeRoleArn ? { nodeRoleArn: g.nodeRoleArn } : {}),
            issues: g.issues,
            // An Auto Scaling group EKS names but Auto Scaling does not know (the emulator) is unknown, not empty.
            instances:
              g.autoScalingGroups.length > 0 && found.every((f) => f !== undefined)
                ? found.flatMap((f) => f ?? [])
                : "unknown",
          };
        });
      } catch (error) {
        return unknown(`list the node groups of ${cluster}`, error);
      }
    },

    async subnets(ids) {
      if (ids.length === 0) return [];
      try {
        return await describeSubnets(aws, ids);
      } catch (error) {
        return unknown("describe the cluster's subnets", error);
      }
    },

    async existingOutsideState(creates) {
      const { findExisting, isCollidingType, refusalReason } = await import("../terraform/collisions.js");
      const candidates = creates.flatMap((c) =>
        isCollidingType(c.type) ? [{ address: c.address, type: c.type, name: c.name }] : [],
      );
      if (candidates.length === 0 || project === undefined) return [];
      try {
        const found = await findExisting(aws, candidates, project);
        return found.map((f) => {
          const stack = creates.find((c) => c.address === f.address && c.name === f.name)?.stack ?? "vpc";
          return {
            stack,
            address: f.address,
            type: f.type,
            name: f.name,
            importId: f.importId,
            ...(refusalReason(f) ? { notOurs: refusalReason(f) } : {}),
          };
        });
      } catch (error) {
        return unknown("look for resources that exist outside Terraform state", error);
      }
    },
  };
}

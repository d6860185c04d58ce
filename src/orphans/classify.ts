import { modelBucketStem, resourceNames } from "../config/naming.js";
import { namedForProject, type Ownership, ownership } from "../config/ownership.js";
import type { TerraformStage } from "../stages.js";
import type { StackState } from "../terraform/state.js";
import { pricedItem } from "./prices.js";
import type { FoundResource, ProjectIdentity, ResourceType } from "./types.js";

/** `unknown`: its tags could not be read, so whether it is the project's cannot be said; never deleted. */
export type ResourceClass = "managed" | "orphan" | "leftover" | "unknown";
export type OrphanAction = "delete" | "adopt";

export interface ImportHint {
  stage: TerraformStage;
  address: string;
  id: string;
}

export interface ClassifiedResource extends FoundResource {
  class: ResourceClass;
  /** Why it has its class, one line. */
  reason: string;
  monthlyCost: number;
  /** Why its price is unknown (an instance type or region the price model lacks): not counted as zero. */
  unpriced?: string;
  /** Orphans and leftovers only: delete with `cleanup`, or adopt with `terraform import`. */
  action?: OrphanAction;
  import?: ImportHint;
}

/** Pure: the one ownership rule (src/config/ownership.ts) applied to a found resource. */
export function ownershipOf(r: FoundResource, project: ProjectIdentity): Ownership {
  return ownership(
    {
      type: r.type,
      name: r.name,
      tags: r.tagsUnreadable ? undefined : r.tags,
      tagsUnreadable: r.tagsUnreadable,
      description: r.description,
    },
    project,
  );
}

type Owned = Extract<Ownership, { verdict: "ours" }>;

/** The cluster a resource cannot outlive: its node groups, control-plane log group, what k8s made. */
function clusterOf(r: FoundResource, owner: Owned): string | undefined {
  if (owner.by === "cluster") return owner.cluster;
  if (r.type === "eks-nodegroup") return r.cluster;
  if (r.type === "log-group") return /^\/aws\/eks\/([^/]+)\/cluster$/.exec(r.name)?.[1];
  return undefined;
}

/** Pure: every id and ARN the stacks' states hold. */
export function stateIdentifiers(states: Partial<Record<TerraformStage, StackState>>): Set<string> {
  const ids = new Set<string>();
  for (const state of Object.values(states)) {
    for (const resource of state?.resources ?? []) {
      if (resource.id) ids.add(resource.id);
      if (resource.arn) ids.add(resource.arn);
    }
  }
  return ids;
}

/**
 * Where an orphan maps to a stack address, `terraform import` adopts it. Only resources with fixed
 * names are proposed: they are the ones that collide with the next `up`; the rest (VPC parts,
 * volumes) are simply re-created, so the advice for them is to delete.
 */
export function importHint(r: FoundResource, project: ProjectIdentity): ImportHint | undefined {
  const n = resourceNames(project);
  const table: Partial<Record<ResourceType, Record<string, [TerraformStage, string]>>> = {
    "iam-role": {
      [n.clusterRole]: ["iam", "aws_iam_role.cluster"],
      [n.nodeRole]: ["iam", "aws_iam_role.node"],
      [n.githubActionsRole]: ["iam", "aws_iam_role.github_actions[0]"],
      [n.tritonIrsaRole]: ["eks", "aws_iam_role.triton"],
      [n.flowLogsRole]: ["vpc", "aws_iam_role.flow_logs[0]"],
    },
    "ecr-repository": { [n.ecrRepository]: ["ecr", "aws_ecr_repository.this"] },
    "eks-cluster": { [n.cluster]: ["eks", "aws_eks_cluster.this"] },
    "log-group": {
      [n.clusterLogGroup]: ["eks", "aws_cloudwatch_log_group.this"],
      [n.flowLogGroup]: ["vpc", "aws_cloudwatch_log_group.flow_logs[0]"],
    },
    "kms-alias": { [n.kmsAlias]: ["eks", "aws_kms_alias.this"] },
    "eks-nodegroup": {
      [n.gpuNodeGroup]: ["gpu-nodes", "aws_eks_node_group.gpu"],
      [n.gpuSpotNodeGroup]: ["gpu-nodes", "aws_eks_node_group.gpu_spot[0]"],
      [n.systemNodeGroup]: ["gpu-nodes", "aws_eks_node_group.system[0]"],
    },
  };
  let hit = table[r.type]?.[r.name];
  if (!hit && r.type === "s3-bucket" && r.name.startsWith(`${modelBucketStem(project)}-`)) {
    hit = ["ecr", "aws_s3_bucket.models"];
  }
  return hit ? { stage: hit[0], address: hit[1], id: r.id } : undefined;
}

/** Things Kubernetes or EKS created: never in a state; they live and die with their cluster. */
const CLUSTER_CLASS_FOLLOWS = (owner: Owned) => owner.by === "cluster";

/**
 * Pure: the project's resources with their class; everything else is dropped (never listed).
 * `managed`: in a stack's state (or created by Kubernetes for a cluster that is). `leftover`: tied to
 * a cluster that no longer exists. `orphan`: the project's, in no state.
 */
export function classify(
  found: readonly FoundResource[],
  project: ProjectIdentity,
  states: Partial<Record<TerraformStage, StackState>>,
): ClassifiedResource[] {
  const inState = stateIdentifiers(states);
  const owned: Array<{ r: FoundResource; owner: Owned }> = [];
  const out: ClassifiedResource[] = [];
  for (const r of found) {
    const owner = ownershipOf(r, project);
    if (owner.verdict === "ours") owned.push({ r, owner });
    else if (owner.verdict === "unknown") {
      const cost = costOf(r);
      if (inState.has(r.id) || (r.arn !== undefined && inState.has(r.arn)))
        out.push({ ...r, class: "managed", reason: "in Terraform state", ...cost });
      // Listed when its name is the project's; the others are counted by unreadableCounts().
      else if (namedForProject(r, project))
        out.push({
          ...r,
          class: "unknown",
          reason: `named for the project, but its ${owner.why}`,
          ...cost,
        });
    }
  }
  const clusterClass = new Map<string, ResourceClass>();
  for (const { r } of owned) {
    if (r.type === "eks-cluster") clusterClass.set(r.name, inState.has(r.id) ? "managed" : "orphan");
  }
  for (const { r, owner } of owned) {
    const cost = costOf(r);
    if (inState.has(r.id) || (r.arn !== undefined && inState.has(r.arn))) {
      out.push({ ...r, class: "managed", reason: "in Terraform state", ...cost });
      continue;
    }
    const cluster = clusterOf(r, owner);
    let cls: ResourceClass = "orphan";
    let reason =
      owner.by === "tag" ? "tagged for the project, in no state" : "named for the project, in no state";
    if (cluster !== undefined) {
      const parent = clusterClass.get(cluster);
      if (parent === undefined) {
        cls = "leftover";
        reason = `belongs to cluster ${cluster}, which no longer exists`;
      } else if (CLUSTER_CLASS_FOLLOWS(owner)) {
        cls = parent;
        reason = `created by Kubernetes/EKS for cluster ${cluster} (${parent})`;
      }
    }
    if (cls === "managed") {
      out.push({ ...r, class: cls, reason, ...cost });
      continue;
    }
    const hint = cls === "orphan" ? importHint(r, project) : undefined;
    out.push({
      ...r,
      class: cls,
      reason,
      ...cost,
      action: hint ? "adopt" : "delete",
      ...(hint ? { import: hint } : {}),
    });
  }
  return out;
}

/**
 * Pure: resources whose tags could not be read and that classify() did not list (their names are
 * not the project's, so only their tags could have said), counted by type for the report.
 */
export function unreadableCounts(
  found: readonly FoundResource[],
  listed: readonly ClassifiedResource[],
): Record<string, number> {
  const shown = new Set(listed.map((r) => `${r.type}|${r.region}|${r.id}`));
  const counts: Record<string, number> = {};
  for (const r of found) {
    if (r.tagsUnreadable && !shown.has(`${r.type}|${r.region}|${r.id}`))
      counts[r.type] = (counts[r.type] ?? 0) + 1;
  }
  return counts;
}

export function isOrphan(r: ClassifiedResource): boolean {
  return r.class === "orphan" || r.class === "leftover";
}

/**
 * Pure: what the inventory may leave out because it cannot be the project's. VPC-bound resources
 * are asked for only inside the project's VPCs (the stacks create their own VPC; anything of the
 * project's in it is found there). Volumes are not narrowed: every unattached volume is listed and
 * ownership() decides, as for every other type (EC2's filters cannot say "tagged for the project or
 * named with its prefix" in one call, and four filtered calls cost the emulator more than one listing).
 */
export function inventoryScope(project: ProjectIdentity) {
  return {
    vpc: (vpc: FoundResource) => ownershipOf(vpc, project).verdict === "ours",
  };
}

/** The price model's answer for one resource: its monthly cost, or 0 with the reason it is unknown. */
function costOf(r: FoundResource): { monthlyCost: number; unpriced?: string } {
  const item = pricedItem(r);
  if (item?.unknown) return { monthlyCost: 0, unpriced: item.unknown };
  return { monthlyCost: item?.monthly?.expected ?? 0 };
}

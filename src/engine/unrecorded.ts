import pLimit from "p-limit";
import { listEc2 } from "../aws/inventory.js";
import { type ClassifiedResource, classify, inventoryScope } from "../orphans/classify.js";
import { SCAN_CONCURRENCY } from "../orphans/inventory.js";
import type { ResourceType } from "../orphans/types.js";
import type { Runtime } from "../runtime.js";
import type { TerraformStage } from "../stages.js";
import type { Collision } from "../terraform/collisions.js";
import type { PlanSummary } from "../terraform/plan.js";
import { readAllStates } from "../terraform/state.js";

/**
 * Resource types AWS lets exist twice with the same tags and CIDR: a create that Terraform began but
 * never recorded (Terraform killed, the machine lost power) is re-created silently by the next apply,
 * and the first copy keeps costing (a NAT gateway, about $33 a month).
 */
const UNNAMED: Record<string, ResourceType> = {
  aws_vpc: "vpc",
  aws_subnet: "subnet",
  aws_nat_gateway: "nat-gateway",
  aws_eip: "elastic-ip",
  aws_internet_gateway: "internet-gateway",
  aws_route_table: "route-table",
  aws_security_group: "security-group",
};

/** Pure: does the plan create any resource of a type that has no unique name? */
export function createsUnnamed(summary: PlanSummary): boolean {
  return summary.changes.some((c) => c.kind === "create" && c.type in UNNAMED);
}

function nameTag(after: Record<string, unknown> | undefined): string | undefined {
  for (const key of ["tags", "tags_all"]) {
    const tags = after?.[key] as Record<string, unknown> | undefined;
    if (typeof tags?.Name === "string") return tags.Name;
  }
  return undefined;
}

/**
 * Pure: the planned creates that an orphan of this stage already answers (the project's, tagged with
 * the stage, in no state), as collisions `terraform import` resolves. Matched by Name tag; a type the
 * plan creates once matches its one orphan of that type even without a name.
 */
export function unrecordedCollisions(
  stage: TerraformStage,
  summary: PlanSummary,
  classified: readonly ClassifiedResource[],
): Collision[] {
  const orphans = classified.filter(
    (r) => r.class === "orphan" && r.tags.Stage === stage && Object.values(UNNAMED).includes(r.type),
  );
  const creates = summary.changes.filter((c) => c.kind === "create" && c.type in UNNAMED);
  const used = new Set<string>();
  const out: Collision[] = [];
  for (const change of creates) {
    const type = UNNAMED[change.type];
    const name = nameTag(change.after);
    const ofType = orphans.filter((o) => o.type === type && !used.has(o.id));
    const soleCreate = creates.filter((c) => c.type === change.type).length === 1;
    const match =
      ofType.find((o) => name !== undefined && o.tags.Name === name) ??
      (soleCreate && ofType.length === 1 ? ofType[0] : undefined);
    if (!match) continue;
    used.add(match.id);
    out.push({ address: change.address, type: change.type, name: name ?? match.name, importId: match.id });
  }
  return out;
}

/**
 * Before a stage creates VPC parts, looks for the project's ones of that stage that no state holds,
 * with orphan-scan's inventory and ownership rule: one EC2 listing, and none when the plan creates none.
 */
export async function findUnrecorded(
  rt: Runtime,
  stage: TerraformStage,
  summary: PlanSummary,
): Promise<Collision[]> {
  if (!createsUnnamed(summary)) return [];
  const project = { name: rt.config.name, environment: rt.config.environment };
  const unavailable: string[] = [];
  const [states, found] = await Promise.all([
    readAllStates(rt),
    listEc2(rt.aws, {
      limit: pLimit(SCAN_CONCURRENCY),
      onMissing: (what) => unavailable.push(what),
      scope: inventoryScope(project),
    }),
  ]);
  for (const what of unavailable) rt.io.debug(`${stage}: ${what} not available; not checked for duplicates`);
  return unrecordedCollisions(stage, summary, classify(found, project, states));
}

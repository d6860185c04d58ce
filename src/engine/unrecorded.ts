import pLimit from "p-limit";
import { listEc2 } from "../aws/inventory.js";
import { type ClassifiedResource, classify, inventoryScope, stateIdentifiers } from "../orphans/classify.js";
import { SCAN_CONCURRENCY } from "../orphans/inventory.js";
import type { FoundResource, ResourceType } from "../orphans/types.js";
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
 * Pure: VPCs that may be one this stage's Terraform created and never tagged nor recorded (killed
 * between the create and the tags, where a provider tags in a second call): no tags at all, the CIDR
 * the config gives the stage, not the region's default, and in no state. The aws provider 5.x and the
 * emulator tag a VPC in its CreateVpc call, so this is the rare case; a VPC with any tag is judged by
 * the ownership rule alone.
 */
export function untaggedWithStageCidr(
  found: readonly FoundResource[],
  cidr: string,
  states: Parameters<typeof stateIdentifiers>[0],
): FoundResource[] {
  const inState = stateIdentifiers(states);
  return found.filter(
    (r) =>
      r.type === "vpc" &&
      r.cidr === cidr &&
      !r.isDefault &&
      !r.tagsUnreadable &&
      Object.keys(r.tags).length === 0 &&
      !inState.has(r.id),
  );
}

/**
 * Pure: the planned creates that an orphan of this stage already answers (the project's by the
 * ownership rule, tagged with the stage, in no state; or an untagged VPC with the stage's CIDR), as
 * collisions `terraform import` resolves. Matched by Name tag; a type the plan creates once matches its
 * one candidate of that type even without a name.
 */
export function unrecordedCollisions(
  stage: TerraformStage,
  summary: PlanSummary,
  classified: readonly ClassifiedResource[],
  untagged: readonly FoundResource[] = [],
): Collision[] {
  const candidates: FoundResource[] = [
    ...classified.filter(
      (r) => r.class === "orphan" && r.tags.Stage === stage && Object.values(UNNAMED).includes(r.type),
    ),
    ...(stage === "vpc" ? untagged : []),
  ];
  const creates = summary.changes.filter((c) => c.kind === "create" && c.type in UNNAMED);
  const used = new Set<string>();
  const out: Collision[] = [];
  for (const change of creates) {
    const type = UNNAMED[change.type];
    const name = nameTag(change.after);
    const ofType = candidates.filter((o) => o.type === type && !used.has(o.id));
    const soleCreate = creates.filter((c) => c.type === change.type).length === 1;
    const match =
      ofType.find((o) => name !== undefined && o.tags.Name === name) ??
      (soleCreate && ofType.length === 1 ? ofType[0] : undefined);
    if (!match) continue;
    used.add(match.id);
    // An orphan of the stage is the project's by the ownership rule. An untagged VPC is nobody's by
    // it: a run killed before tagging may have made it, or anyone else; it is shown, never adopted,
    // until someone who knows tags it as the project's.
    const owner: Collision["owner"] = untagged.includes(match)
      ? {
          verdict: "unknown",
          why: `${match.id} is untagged, with the stage's CIDR; if a killed run made it, tag it ManagedBy=triton-ops and Project=<name> and import again`,
        }
      : { verdict: "ours", by: "tag" };
    out.push({
      address: change.address,
      type: change.type,
      name: name ?? match.name,
      importId: match.id,
      owner,
    });
  }
  return out;
}

/**
 * Before a stage creates VPC parts, looks for the project's ones of that stage that no state holds,
 * with orphan-scan's inventory and ownership rule, and for an untagged VPC with the stage's CIDR: one
 * EC2 listing per resource type, and none when the plan creates none of these types.
 */
export async function findUnrecorded(
  rt: Runtime,
  stage: TerraformStage,
  summary: PlanSummary,
): Promise<Collision[]> {
  if (!createsUnnamed(summary)) return [];
  const project = { name: rt.config.name, environment: rt.config.environment };
  const cidr = rt.config.network.vpcCidr;
  const unavailable: string[] = [];
  const scope = inventoryScope(project);
  const [states, found] = await Promise.all([
    readAllStates(rt),
    listEc2(rt.aws, {
      limit: pLimit(SCAN_CONCURRENCY),
      onMissing: (what) => unavailable.push(what),
      // An untagged VPC with the stage's CIDR is looked into too: what Terraform made in it is tagged.
      scope: {
        ...scope,
        vpc: (v) => scope.vpc(v) || (v.cidr === cidr && Object.keys(v.tags).length === 0),
      },
    }),
  ]);
  for (const what of unavailable) rt.io.debug(`${stage}: ${what} not available; not checked for duplicates`);
  return unrecordedCollisions(
    stage,
    summary,
    classify(found, project, states),
    untaggedWithStageCidr(found, cidr, states),
  );
}

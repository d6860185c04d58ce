import { listRegions } from "../aws/inventory.js";
import { BUNDLED_AS_OF } from "../cost/prices.js";
import { UserError } from "../errors.js";
import type { Io } from "../io/io.js";
import type { Runtime } from "../runtime.js";
import { readAllStates } from "../terraform/state.js";
import { type ClassifiedResource, classify, inventoryScope, isOrphan, unreadableCounts } from "./classify.js";
import { takeInventory } from "./inventory.js";
import { totalCost } from "./prices.js";
import { projectBase, RESOURCE_TYPES } from "./types.js";

export interface RegionSelection {
  regions?: string;
  allRegions?: boolean;
}

export interface ScanResult {
  project: string;
  regions: string[];
  /** The project's resources: managed ones too, so the report shows what is accounted for. */
  resources: ClassifiedResource[];
  /** Orphans and leftovers only. */
  monthlyCostTotal: number;
  orphans: number;
  unavailable: string[];
  /** Resources (by type) whose tags could not be read and whose names are not the project's: not listed. */
  unreadable: Record<string, number>;
  estimate: string;
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/;

/** Pure: the regions a scan covers (undefined means "ask EC2 for every enabled region"). */
export function parseRegions(selection: RegionSelection, configRegion: string): string[] | undefined {
  if (selection.regions !== undefined && selection.allRegions) {
    throw new UserError("--regions and --all-regions exclude each other.", {
      code: "orphans.regions-conflict",
      suggestion: "Pass one of them.",
    });
  }
  if (selection.allRegions) return undefined;
  if (selection.regions === undefined) return [configRegion];
  const regions = [
    ...new Set(
      selection.regions
        .split(",")
        .map((r) => r.trim())
        .filter(Boolean),
    ),
  ];
  const bad = regions.filter((r) => !REGION.test(r));
  if (regions.length === 0 || bad.length > 0) {
    throw new UserError(`--regions: "${bad[0] ?? selection.regions}" is not an AWS region.`, {
      code: "orphans.bad-region",
      suggestion: "Give a comma-separated list such as us-east-1,eu-west-1.",
    });
  }
  return regions;
}

/**
 * orphan-scan and cleanup act on one project's names and tags: without a config file (or
 * TRITON_OPS_NAME) they would silently use the default name and could match someone else's resources.
 */
export function requireProject(rt: Runtime): void {
  if (rt.configFile === undefined && !rt.ctx.env.TRITON_OPS_NAME) {
    throw new UserError(
      "No triton-ops.yaml here: orphan-scan and cleanup need the project's name and environment.",
      {
        code: "orphans.no-project",
        suggestion:
          "Run it in the project's directory, pass --config FILE, or set TRITON_OPS_NAME and TRITON_OPS_ENVIRONMENT.",
      },
    );
  }
}

export async function resolveRegions(rt: Runtime, selection: RegionSelection): Promise<string[]> {
  return parseRegions(selection, rt.config.region) ?? (await listRegions(rt.aws));
}

export async function runOrphanScan(rt: Runtime, regions: string[]): Promise<ScanResult> {
  const project = { name: rt.config.name, environment: rt.config.environment };
  const [states, inventory] = await Promise.all([
    readAllStates(rt),
    takeInventory(rt.aws, regions, inventoryScope(project)),
  ]);
  for (const what of inventory.unavailable) rt.io.warn(`${what}: API not available here; not scanned.`);
  const resources = sortResources(classify(inventory.resources, project, states));
  const orphans = resources.filter(isOrphan);
  const unreadable = unreadableCounts(inventory.resources, resources);
  for (const [type, count] of Object.entries(unreadable)) {
    rt.io.warn(
      `${type}: the tags of ${count} resource(s) not named for ${projectBase(project)} could not be read; one tagged for the project would be missed.`,
    );
  }
  return {
    project: projectBase(project),
    regions,
    resources,
    monthlyCostTotal: totalCost(orphans.map((r) => r.monthlyCost)),
    orphans: orphans.length,
    unavailable: inventory.unavailable,
    unreadable,
    estimate: `monthly costs are estimates at the bundled AWS list prices of each resource's region (as of ${BUNDLED_AS_OF})`,
  };
}

/** Pure: by type in teardown order, then region and name. */
export function sortResources<T extends { type: string; region: string; name: string }>(items: T[]): T[] {
  const rank = (t: string) => RESOURCE_TYPES.indexOf(t as (typeof RESOURCE_TYPES)[number]);
  return [...items].sort(
    (a, b) => rank(a.type) - rank(b.type) || a.region.localeCompare(b.region) || a.name.localeCompare(b.name),
  );
}

/** JSON: one entry per resource with the fields the issue names, plus reason and import hint. */
export function scanJson(result: ScanResult) {
  return {
    project: result.project,
    regions: result.regions,
    resources: result.resources.map((r) => ({
      type: r.type,
      id: r.id,
      name: r.name,
      region: r.region,
      class: r.class,
      monthlyCost: r.unpriced ? null : r.monthlyCost,
      ...(r.unpriced ? { unpriced: r.unpriced } : {}),
      action: r.action ?? null,
      reason: r.reason,
      createdAt: r.createdAt ?? null,
      ...(r.import ? { import: r.import } : {}),
    })),
    monthlyCostTotal: result.monthlyCostTotal,
    orphans: result.orphans,
    unavailable: result.unavailable,
    unreadable: result.unreadable,
    estimate: result.estimate,
  };
}

/** Pure: "3d", "5h", "12m" from a creation time. */
export function age(createdAt: string | undefined, now: Date): string {
  if (!createdAt) return "-";
  const minutes = Math.max(0, Math.floor((now.getTime() - new Date(createdAt).getTime()) / 60_000));
  if (minutes < 60) return `${minutes}m`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h`;
  return `${Math.floor(minutes / 1440)}d`;
}

export function money(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

export function formatScan(result: ScanResult, io: Io, now = new Date()): string {
  if (result.resources.length === 0) {
    return `Nothing of ${result.project} found in ${result.regions.join(", ")}.`;
  }
  const byType = new Map<string, ClassifiedResource[]>();
  for (const r of result.resources) byType.set(r.type, [...(byType.get(r.type) ?? []), r]);
  const rows: string[][] = [];
  for (const [type, items] of byType) {
    for (const r of items) {
      const cls =
        r.class === "managed"
          ? io.style.dim(r.class)
          : r.class === "orphan"
            ? io.style.red(r.class)
            : r.class === "unknown"
              ? io.style.bold(r.class)
              : io.style.yellow(r.class);
      const action =
        r.action === "adopt" && r.import ? `adopt: ${r.import.stage} ${r.import.address}` : (r.action ?? "");
      rows.push([
        type,
        r.id,
        r.name === r.id ? "" : r.name,
        r.region,
        age(r.createdAt, now),
        cls,
        r.unpriced ? "unknown" : money(r.monthlyCost),
        action,
      ]);
    }
  }
  const table = io.table(
    [
      { header: "TYPE" },
      { header: "ID" },
      { header: "NAME" },
      { header: "REGION" },
      { header: "AGE", align: "right" },
      { header: "CLASS" },
      { header: "MONTHLY", align: "right" },
      { header: "ACTION" },
    ],
    rows,
  );
  const unknown = result.resources.filter((r) => r.class === "unknown").length;
  const unknownNote =
    unknown > 0
      ? `\n${unknown} resource(s) marked unknown: their tags could not be read, so cleanup never deletes them.`
      : "";
  const unpriced = result.resources.filter((r) => r.unpriced && r.class !== "managed");
  const unpricedNote =
    unpriced.length > 0
      ? `\nNot in the total, price unknown: ${unpriced.map((r) => `${r.id} (${r.unpriced})`).join("; ")}.`
      : "";
  const summary =
    result.orphans === 0
      ? io.style.green(
          `No orphans: all ${result.resources.length - unknown} known resource(s) of ${result.project} are in Terraform state.`,
        )
      : `${io.style.bold(String(result.orphans))} orphan(s) of ${result.project}, about ${io.style.bold(money(result.monthlyCostTotal))}/month (estimate). ` +
        "Remove them with `triton-ops cleanup --orphans` (dry run first), or adopt the ones marked adopt with `terraform import`.";
  return `${table}\n\n${summary}${unpricedNote}${unknownNote}\n${io.style.dim(`Costs: ${result.estimate}.`)}`;
}

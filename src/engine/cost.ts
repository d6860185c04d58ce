import { bundledCatalog, isoDay, judgeVersion } from "../config/kubernetes-versions.js";
import type { StageName } from "../config/schema.js";
import {
  type CostForecast,
  estimateFromConfig,
  type ForecastChange,
  forecast,
  type StageCostInput,
} from "../cost/forecast.js";
import { priceKubernetesObjects } from "../cost/kubernetes.js";
import { type CostAssumptions, type CostRange, formatRange, type ModelContext, usd } from "../cost/model.js";
import type { TerraformResource } from "../cost/resources.js";
import { type LivePrices, loadPriceBook, type PriceBookResult } from "../cost/source.js";
import { AbortError } from "../errors.js";
import type { Io } from "../io/io.js";
import type { Runtime } from "../runtime.js";
import { isTerraformStage, type TerraformStage } from "../stages.js";
import type { StackState } from "../terraform/state.js";
import { mayHaveAwsAccess } from "../versions/catalog.js";

/** The cost block of plan's and up's results (`--json` carries it as is). */
export interface CostReport {
  estimate: true;
  source: string;
  asOf: string;
  assumptions: CostAssumptions;
  budgetMonthly: number | null;
  stages: Array<{
    stage: StageName;
    basis: "plan" | "config" | "kubernetes";
    nowMonthly: CostRange;
    afterMonthly: CostRange;
    changeMonthly: CostRange;
    items: Array<{
      address: string;
      what: string;
      monthly: CostRange | null;
      unknown?: string;
      assumption?: string;
    }>;
  }>;
  nowMonthly: CostRange;
  afterMonthly: CostRange;
  changeMonthly: CostRange;
  /** What could not be priced, by name: the totals leave them out and say so. */
  unknown: string[];
  warnings: string[];
}

export interface StagePlanFacts {
  stage: StageName;
  /** The plan's changes, when the stage was planned. */
  changes?: readonly ForecastChange[];
}

const resourcesOf = (state: StackState | undefined): TerraformResource[] =>
  (state?.resources ?? []).map((r) => ({ address: r.address, type: r.type, values: r.attributes }));

/** The price book for the project's region and GPU types: live where AWS answers, else bundled. */
export async function priceBookFor(rt: Runtime): Promise<PriceBookResult> {
  const c = rt.config;
  const instanceTypes = [
    ...new Set([...c.gpu.instanceTypes, ...(c.systemNodes.enabled ? c.systemNodes.instanceTypes : [])]),
  ];
  let live: LivePrices | undefined;
  // Without any credential source the SDK would only wait on the instance metadata service to learn nothing.
  if (!c.sandbox && mayHaveAwsAccess(rt.aws.env)) {
    const { getOnDemandPrices } = await import("../aws/pricing.js");
    live = { onDemand: (service, filters) => getOnDemandPrices(rt.aws, service, filters) };
  }
  return loadPriceBook({
    region: c.region,
    instanceTypes,
    live,
    cacheDir: rt.envDir,
    now: new Date(),
  });
}

/**
 * What the selected stages cost now and after apply. A planned stage is priced from its plan, one that
 * cannot be planned yet from the config, the workloads stage from the objects it makes Kubernetes create.
 */
export async function costReport(
  rt: Runtime,
  states: Partial<Record<TerraformStage, StackState>>,
  facts: readonly StagePlanFacts[],
  outputsForRender: Parameters<typeof import("../k8s/render.js").renderValues>[1],
  options: { extendedSupport?: (version: string) => boolean; book?: PriceBookResult; budget?: number } = {},
): Promise<CostReport> {
  const prices = options.book ?? (await priceBookFor(rt));
  const c = rt.config;
  const assumptions: CostAssumptions = {
    natDataGbMonth: c.cost.natDataGbMonth,
    logsIngestGbMonth: c.cost.logsIngestGbMonth,
    modelRepositoryGb: c.cost.modelRepositoryGb,
    imageStorageGb: c.cost.imageStorageGb,
  };
  const ctx: ModelContext = {
    book: prices.book,
    assumptions,
    // The version calendar decides which control-plane rate applies (bundled, when the caller has no verdict).
    extendedSupport:
      options.extendedSupport ??
      ((v: string) => judgeVersion(bundledCatalog(), v, isoDay(new Date())).phase === "extended"),
  };
  const inputs: StageCostInput[] = [];
  for (const f of facts) {
    if (!isTerraformStage(f.stage)) {
      const { loadTemplates, renderManifests, renderValues } = await import("../k8s/render.js");
      const { values } = renderValues(c, outputsForRender);
      const { objects } = renderManifests(await loadTemplates(), values);
      inputs.push({ stage: f.stage, now: [], extra: priceKubernetesObjects(ctx, objects as never[]) });
      continue;
    }
    const now = resourcesOf(states[f.stage]);
    if (f.changes) inputs.push({ stage: f.stage, now, changes: f.changes });
    else if (now.length > 0) inputs.push({ stage: f.stage, now });
    else inputs.push({ stage: f.stage, now, estimate: estimateFromConfig(f.stage, c) ?? [] });
  }
  return toReport(forecast(ctx, inputs), prices, assumptions, options.budget ?? c.cost.budgetMonthly);
}

function toReport(
  f: CostForecast,
  prices: PriceBookResult,
  assumptions: CostAssumptions,
  budget: number | undefined,
): CostReport {
  const unknown = f.stages.flatMap((s) => s.after.unknown.map((u) => `${s.stage}: ${u.what} (${u.unknown})`));
  return {
    estimate: true,
    source: prices.label,
    asOf: prices.book.asOf,
    assumptions,
    budgetMonthly: budget ?? null,
    stages: f.stages.map((s) => ({
      stage: s.stage,
      basis: s.basis,
      nowMonthly: s.now.monthly,
      afterMonthly: s.after.monthly,
      changeMonthly: s.change,
      items: s.items.map((i) => ({
        address: i.address,
        what: i.what,
        monthly: i.monthly ?? null,
        ...(i.unknown ? { unknown: i.unknown } : {}),
        ...(i.assumption ? { assumption: i.assumption } : {}),
      })),
    })),
    nowMonthly: f.now.monthly,
    afterMonthly: f.after.monthly,
    changeMonthly: f.change,
    unknown,
    warnings: prices.warnings,
  };
}

/** Pure: the cost table of a report. */
export function formatCostReport(report: CostReport, io: Pick<Io, "table">): string {
  const rows = report.stages.map((s) => [
    s.stage,
    formatRange(s.nowMonthly),
    formatRange(s.afterMonthly),
    formatRange(s.changeMonthly, true),
    s.basis === "plan" ? "" : s.basis === "config" ? "from the config" : "what Kubernetes creates",
  ]);
  rows.push([
    "total",
    formatRange(report.nowMonthly),
    formatRange(report.afterMonthly),
    formatRange(report.changeMonthly, true),
    "",
  ]);
  const lines = [
    `Estimated monthly cost (USD, estimates; ${report.source}):`,
    io.table(
      [
        { header: "STAGE" },
        { header: "NOW", align: "right" },
        { header: "AFTER APPLY", align: "right" },
        { header: "CHANGE", align: "right" },
        { header: "BASIS" },
      ],
      rows,
    ),
  ];
  const gpu = report.stages
    .flatMap((s) => s.items)
    .find((i) => i.monthly && i.monthly.low !== i.monthly.high && i.address.includes("gpu"));
  if (gpu?.monthly) {
    lines.push(
      `GPU nodes: ${gpu.what}: ${usd(gpu.monthly.low)} at min, ${usd(gpu.monthly.expected)} at desired, ${usd(gpu.monthly.high)} at max.`,
    );
  }
  const assumed = [
    ...new Set(report.stages.flatMap((s) => s.items.map((i) => i.assumption).filter(Boolean))),
  ];
  if (assumed.length > 0) lines.push(`Assumes: ${assumed.join("; ")}.`);
  for (const u of report.unknown) lines.push(`Not priced (unknown, left out of the totals): ${u}`);
  for (const w of report.warnings) lines.push(`Note: ${w}`);
  if (report.budgetMonthly !== null) {
    lines.push(`Budget: ${usd(report.budgetMonthly)}/month.`);
  }
  return lines.join("\n");
}

/** Refuses (exit 1) when the estimated monthly total after apply is above the budget. */
export function assertWithinBudget(report: CostReport): void {
  const budget = report.budgetMonthly;
  if (budget === null) return;
  if (report.afterMonthly.expected > budget) {
    throw new AbortError(
      `The estimated monthly cost after apply, ${usd(report.afterMonthly.expected)}, is above the budget of ${usd(budget)}.`,
      {
        code: "cost.over-budget",
        suggestion:
          "Lower gpu.desiredSize or gpu.maxSize, pick a cheaper instance type, or raise --budget / cost.budgetMonthly.",
      },
    );
  }
}

/**
 * The project's cost as the selected stages leave it: every applied stage as it is now, the selected ones
 * after apply (from `changes` where planned, else from the config), so a budget holds for the whole bill.
 */
export async function projectCostReport(
  rt: Runtime,
  states: Partial<Record<TerraformStage, StackState>>,
  selected: readonly StageName[],
  outputs: Parameters<typeof costReport>[3],
  options: {
    changes?: Partial<Record<StageName, readonly ForecastChange[]>>;
    book?: PriceBookResult;
    budget?: number;
  } = {},
): Promise<CostReport> {
  const { STAGES } = await import("../stages.js");
  const facts = STAGES.filter(
    (s) => selected.includes(s) || (isTerraformStage(s) && states[s] !== undefined),
  ).map((stage) => ({ stage, ...(options.changes?.[stage] ? { changes: options.changes[stage] } : {}) }));
  return costReport(rt, states, facts, outputs, {
    ...(options.book ? { book: options.book } : {}),
    ...(options.budget !== undefined ? { budget: options.budget } : {}),
  });
}

/** Pure: one stage's figures for up's confirmation. */
export function formatStageCost(report: CostReport, stage: StageName): string {
  const s = report.stages.find((x) => x.stage === stage);
  if (!s) return "";
  return (
    `${stage}: estimated ${formatRange(s.afterMonthly)}/month after apply (${formatRange(s.changeMonthly, true)}); ` +
    `project total ${formatRange(report.afterMonthly)}/month (${report.source})`
  );
}

import { describeSupport, type VersionSupport, versionSupport } from "../config/kubernetes-versions.js";
import type { StageName } from "../config/schema.js";
import { type CostRange, formatRange } from "../cost/model.js";
import type { Io } from "../io/io.js";
import type { Runtime } from "../runtime.js";
import { STAGES, type TerraformStage } from "../stages.js";
import { readAllStates, type StackState } from "../terraform/state.js";
import { inputStages } from "../terraform/variables.js";

/** Outputs worth a glance in the status table, per stage. */
const KEY_OUTPUTS: Record<TerraformStage, string[]> = {
  vpc: ["vpc_id", "nat_public_ips"],
  iam: ["node_role_name", "github_actions_role_arn"],
  ecr: ["repository_url", "model_bucket_name"],
  eks: ["cluster_name", "cluster_endpoint", "cluster_version"],
  "gpu-nodes": ["gpu_node_group_name", "system_node_group_name"],
};

export interface StageStatusRow {
  stage: StageName;
  applied: boolean;
  resources: number;
  lastApplied: string | null;
  outputs: Record<string, unknown>;
  drift?: { changes: number; drifted: number } | { error: string } | { skipped: string };
}

export interface StatusResult {
  environment: string;
  region: string;
  sandbox: boolean;
  stages: StageStatusRow[];
  /** The applied cluster's Kubernetes version, its support phase and end date. */
  kubernetes?: VersionSupport;
  /** What the applied stages cost a month by the price model (estimates); null when nothing is applied. */
  runRate: RunRate | null;
}

export interface RunRate {
  estimate: true;
  monthly: CostRange;
  stages: Array<{ stage: StageName; monthly: CostRange }>;
  /** Resources the price model cannot price, named: left out of the figure, never counted as zero. */
  unknown: string[];
  source: string;
}

/** Pure: status rows from the stacks' states. */
export function statusRows(states: Partial<Record<TerraformStage, StackState>>): StageStatusRow[] {
  return STAGES.map((stage) => {
    if (stage === "workloads") {
      return { stage, applied: false, resources: 0, lastApplied: null, outputs: {} };
    }
    const state = states[stage];
    const outputs: Record<string, unknown> = {};
    for (const key of KEY_OUTPUTS[stage]) {
      const value = state?.outputs[key];
      if (value !== undefined && value !== null && value !== "") outputs[key] = value;
    }
    return {
      stage,
      applied: state !== undefined,
      resources: state?.resources.length ?? 0,
      lastApplied: state?.modifiedAt?.toISOString() ?? null,
      outputs,
    };
  });
}

export async function runStatus(rt: Runtime, options: { refresh: boolean }): Promise<StatusResult> {
  const states = await readAllStates(rt);
  const rows = statusRows(states);
  if (options.refresh) {
    const { createTerraformRunner, syncStacks } = await import("../terraform/workspace.js");
    const { planStage } = await import("./terraform-stage.js");
    const tf = await createTerraformRunner(rt);
    await syncStacks(rt.envDir);
    const outputs = Object.fromEntries(
      Object.entries(states).map(([stage, state]) => [stage, state.outputs]),
    ) as Partial<Record<TerraformStage, Record<string, unknown>>>;
    await Promise.all(
      rows.map(async (row) => {
        if (row.stage === "workloads" || !row.applied) return;
        const stage = row.stage as TerraformStage;
        const missing = inputStages(stage).filter((s) => !outputs[s]);
        if (missing.length > 0) {
          row.drift = { skipped: `inputs from ${missing.join(", ")} are missing` };
          return;
        }
        try {
          const plan = await planStage(rt, tf, stage, outputs);
          row.drift = { changes: plan.summary.changes.length, drifted: plan.summary.drifted };
        } catch (error) {
          row.drift = { error: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
  }
  const clusterVersion = states.eks?.outputs.cluster_version;
  let kubernetes: VersionSupport | undefined;
  if (typeof clusterVersion === "string" && clusterVersion !== "") {
    const { loadVersionCatalog, today } = await import("../versions/catalog.js");
    kubernetes = versionSupport(await loadVersionCatalog(rt.aws), clusterVersion, today(rt.env));
  }
  return {
    environment: rt.config.environment,
    region: rt.config.region,
    sandbox: rt.config.sandbox,
    stages: rows,
    ...(kubernetes ? { kubernetes } : {}),
    runRate: await runRateOf(rt, states),
  };
}

/** The run rate of what the stacks' states hold, by the same model `plan` forecasts with. */
async function runRateOf(
  rt: Runtime,
  states: Partial<Record<TerraformStage, StackState>>,
): Promise<RunRate | null> {
  const applied = STAGES.filter(
    (s): s is TerraformStage => s !== "workloads" && states[s as TerraformStage] !== undefined,
  );
  if (applied.length === 0) return null;
  const [{ costReport }, { outputsOf }] = await Promise.all([
    import("./cost.js"),
    import("../terraform/state.js"),
  ]);
  const report = await costReport(
    rt,
    states,
    applied.map((stage) => ({ stage })),
    outputsOf(states),
  );
  return {
    estimate: true,
    monthly: report.afterMonthly,
    stages: report.stages.map((st) => ({ stage: st.stage, monthly: st.afterMonthly })),
    unknown: report.unknown,
    source: report.source,
  };
}

function ago(iso: string | null): string {
  if (!iso) return "";
  const minutes = Math.round((Date.now() - Date.parse(iso)) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

function show(value: unknown): string {
  return Array.isArray(value) ? value.join(",") : String(value);
}

export function formatStatus(result: StatusResult, io: Pick<Io, "table" | "style">): string {
  const refresh = result.stages.some((r) => r.drift !== undefined);
  const rows = result.stages.map((r) => {
    const applied =
      r.stage === "workloads"
        ? io.style.dim("see verify")
        : r.applied
          ? io.style.green("applied")
          : io.style.dim("not applied");
    const cells = [
      r.stage,
      applied,
      r.applied ? String(r.resources) : "",
      ago(r.lastApplied),
      Object.entries(r.outputs)
        .map(([k, v]) => `${k}=${show(v)}`)
        .join(" "),
    ];
    if (refresh) {
      const d = r.drift;
      cells.push(
        !d
          ? ""
          : "error" in d
            ? io.style.red(`error: ${d.error}`)
            : "skipped" in d
              ? io.style.dim(d.skipped)
              : d.changes === 0
                ? io.style.green("in sync")
                : io.style.yellow(`${d.changes} change(s), ${d.drifted} drifted`),
      );
    }
    return cells;
  });
  const columns = [
    { header: "STAGE" },
    { header: "STATE" },
    { header: "RESOURCES", align: "right" as const },
    { header: "LAST APPLIED" },
    { header: "KEY OUTPUTS" },
    ...(refresh ? [{ header: "DRIFT" }] : []),
  ];
  const head = `Environment ${result.environment} in ${result.region}${result.sandbox ? " (sandbox)" : ""}`;
  const version = result.kubernetes ? `\n${describeSupport(result.kubernetes)}` : "";
  const rate = result.runRate
    ? `\nRun rate: about ${formatRange(result.runRate.monthly)}/month (estimate; ${result.runRate.source})` +
      result.runRate.unknown.map((u) => `\n  not priced (left out): ${u}`).join("")
    : "";
  return `${head}\n${io.table(columns, rows)}${version}${rate}`;
}

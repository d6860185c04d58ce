import type { VersionVerdict } from "../config/kubernetes-versions.js";
import type { StageName } from "../config/schema.js";
import type { ForecastChange } from "../cost/forecast.js";
import type { Io } from "../io/io.js";
import type { Runtime } from "../runtime.js";
import { isTerraformStage, type TerraformStage } from "../stages.js";
import { type Collision, findCollisions, refusalReason } from "../terraform/collisions.js";
import { formatPlanSummary, type PlanSummary } from "../terraform/plan.js";
import { outputsOf, readAllStates } from "../terraform/state.js";
import { inputStages } from "../terraform/variables.js";
import { createTerraformRunner, syncStacks } from "../terraform/workspace.js";
import { type CostReport, costReport, formatCostReport } from "./cost.js";
import { settleEarlierRuns } from "./earlier-runs.js";
import { runStageGraph } from "./run-stages.js";
import { findUnrecorded } from "./unrecorded.js";
import { reportFailures } from "./up.js";
import { gateVersionForStages } from "./version-gate.js";

export interface StagePlanReport {
  stage: StageName;
  /** planned: a plan was made; waiting: inputs come from a stage not applied yet; kubernetes: see render. */
  state: "planned" | "waiting" | "kubernetes";
  summary?: Omit<PlanSummary, "changes"> & {
    changes: Array<{ address: string; kind: string; reason?: string }>;
  };
  collisions: Collision[];
  message?: string;
}

export interface PlanResult {
  stages: StagePlanReport[];
  collisions: number;
  /** The configured Kubernetes version's EKS support phase, when eks or gpu-nodes is planned. */
  kubernetesVersion?: VersionVerdict;
  /** Estimated monthly cost per stage and in total; null with --no-cost. */
  cost: CostReport | null;
}

export async function runPlan(
  rt: Runtime,
  stages: StageName[],
  options: { cost?: boolean; budget?: number } = {},
): Promise<PlanResult> {
  // Before anything is written: a version EKS refuses stops here.
  const kubernetesVersion = await gateVersionForStages(rt, stages);
  await settleEarlierRuns(rt, stages);
  const states = await readAllStates(rt);
  const outputs = outputsOf(states);
  const planned = new Map<StageName, ForecastChange[]>();
  const tf = await createTerraformRunner(rt);
  await syncStacks(rt.envDir);
  const reports = new Map<StageName, StagePlanReport>();
  const execute = async (stage: StageName) => {
    const started = Date.now();
    const progress = rt.io.progress(stage);
    if (!isTerraformStage(stage)) {
      reports.set(stage, {
        stage,
        state: "kubernetes",
        collisions: [],
        message: "Kubernetes objects: review them with `triton-ops render`",
      });
      progress.done(`${stage}: see \`triton-ops render\``, "skip");
      return { stage, status: "skipped" as const, durationMs: 0 };
    }
    const missing = inputStages(stage).filter((s) => outputs[s] === undefined);
    if (missing.length > 0) {
      const message = `waits for ${missing.join(", ")} to be applied (its inputs are their outputs)`;
      reports.set(stage, { stage, state: "waiting", collisions: [], message });
      progress.done(`${stage}: ${message}`, "skip");
      return { stage, status: "skipped" as const, durationMs: 0 };
    }
    const { planStage } = await import("./terraform-stage.js");
    const plan = await planStage(rt, tf, stage, outputs, { progress });
    const [named, unrecorded] = await Promise.all([
      findCollisions(rt.aws, plan.summary, rt.config),
      findUnrecorded(rt, stage, plan.summary),
    ]);
    const collisions = [...named, ...unrecorded];
    planned.set(stage, plan.summary.changes);
    reports.set(stage, {
      stage,
      state: "planned",
      summary: {
        ...plan.summary,
        changes: plan.summary.changes.map((c) => ({
          address: c.address,
          kind: c.kind,
          ...(c.reason ? { reason: c.reason } : {}),
        })),
      },
      collisions,
    });
    progress.done(`${stage}: planned`, "success");
    rt.io.debug(`${stage} planned in ${Date.now() - started} ms`);
    return { stage, status: "unchanged" as const, durationMs: Date.now() - started };
  };
  const outcomes = await runStageGraph(stages, "up", reportFailures(rt, execute), rt.ctx.interrupts);
  const failed = outcomes.find((o) => o.status === "failed" || o.status === "interrupted");
  if (failed) {
    const { ExternalError, InterruptedError } = await import("../errors.js");
    if (failed.status === "interrupted") throw new InterruptedError();
    throw new ExternalError(failed.message ?? `${failed.stage} could not be planned`, {
      code: "plan.failed",
    });
  }
  const list = stages.map((s) => reports.get(s)).filter((r): r is StagePlanReport => r !== undefined);
  const cost =
    options.cost === false
      ? null
      : await costReport(
          rt,
          states,
          stages.map((stage) => ({ stage, ...(planned.has(stage) ? { changes: planned.get(stage) } : {}) })),
          outputs,
          {
            ...(options.budget !== undefined ? { budget: options.budget } : {}),
            ...(kubernetesVersion
              ? {
                  extendedSupport: (v: string) =>
                    v === kubernetesVersion.version && kubernetesVersion.phase === "extended",
                }
              : {}),
          },
        );
  return {
    stages: list,
    collisions: list.reduce((n, r) => n + r.collisions.length, 0),
    ...(kubernetesVersion ? { kubernetesVersion } : {}),
    cost,
  };
}

export function formatCollisions(
  stage: TerraformStage | StageName,
  collisions: Collision[],
  io: Pick<Io, "style">,
): string {
  if (collisions.length === 0) return "";
  const lines = [
    io.style.yellow(
      `${stage}: ${collisions.length} resource(s) already exist in AWS and would collide on apply:`,
    ),
    ...collisions.map((c) => {
      const refused = refusalReason(c);
      return refused
        ? `  ${c.address} (${c.name}): ${io.style.red(refused)}; import will not adopt it`
        : `  terraform import '${c.address}' '${c.importId}'`;
    }),
    collisions.some((c) => refusalReason(c) === undefined)
      ? "  Adopt the project's with `triton-ops import`, or delete them (`triton-ops cleanup`)."
      : "",
    collisions.some((c) => refusalReason(c) !== undefined)
      ? "  A name taken by another project or environment: choose another `name` or `environment`, or ask its owner."
      : "",
  ].filter(Boolean);
  return lines.join("\n");
}

export function formatPlanResult(result: PlanResult, io: Pick<Io, "style" | "table">): string {
  const blocks: string[] = [];
  for (const report of result.stages) {
    if (report.state !== "planned" || !report.summary) {
      blocks.push(`${report.stage}: ${report.message ?? ""}`);
      continue;
    }
    blocks.push(formatPlanSummary(report.stage, report.summary as PlanSummary, { ...io.style }));
    const collisions = formatCollisions(report.stage, report.collisions, io);
    if (collisions) blocks.push(collisions);
  }
  if (result.cost) blocks.push("", formatCostReport(result.cost, io));
  return blocks.join("\n");
}

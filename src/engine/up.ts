import type { StageName } from "../config/schema.js";
import type { ForecastChange } from "../cost/forecast.js";
import { UserError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { isTerraformStage, type ProjectOutputs, STAGE_DEFINITIONS } from "../stages.js";
import { formatPlanSummary, operationCount } from "../terraform/plan.js";
import { formatElapsed } from "../terraform/progress.js";
import type { TerraformRunner } from "../terraform/runner.js";
import { outputsOf, readAllOutputs, readAllStates, readStackOutputs } from "../terraform/state.js";
import { createTerraformRunner, syncStacks } from "../terraform/workspace.js";
import {
  assertWithinBudget,
  type CostReport,
  formatStageCost,
  priceBookFor,
  projectCostReport,
} from "./cost.js";
import { settleEarlierRuns } from "./earlier-runs.js";
import { formatCollisions } from "./plan.js";
import { postCheck } from "./postcheck.js";
import { createMutex, runStageGraph, type StageOutcome } from "./run-stages.js";
import { externalNeeds } from "./schedule.js";
import { findUnrecorded } from "./unrecorded.js";
import { gateVersionForStages } from "./version-gate.js";

/** The Kubernetes stage, driven through the same interface as the Terraform ones. */
export interface WorkloadsDriver {
  up(
    rt: Runtime,
    outputs: ProjectOutputs,
    options: { force?: boolean; kubeconfig?: string; context?: string; onProgress?: (text: string) => void },
  ): Promise<{ status: "applied" | "unchanged" | "skipped"; reason?: string; objects: number }>;
  down(
    rt: Runtime,
    outputs: ProjectOutputs,
    options: {
      kubeconfig?: string;
      context?: string;
      onProgress?: (text: string) => void;
      /** Shows what will be deleted and asks (or honours --yes); false means declined. */
      confirm?: (lines: string[]) => Promise<boolean>;
    },
  ): Promise<{ status: "deleted" | "skipped"; reason?: string; objects: number }>;
}

export interface UpOptions {
  stages: StageName[];
  yes: boolean;
  force?: boolean;
  kubeconfig?: string;
  context?: string;
  workloads: WorkloadsDriver;
  /** Price each stage (default); `budget` (USD a month) refuses what would go above it. */
  cost?: boolean;
  budget?: number;
  /** Runs once before the first stage (doctor --preflight); throws to stop. */
  preflight?: (tf: TerraformRunner) => Promise<void>;
}

export interface UpResult {
  stages: StageOutcome[];
  /** The estimated monthly cost as this run leaves the project (last figure shown); null with --no-cost. */
  cost: CostReport | null;
}

/** Stages needed from outside the selection must already be applied. */
export function assertNeedsApplied(selected: StageName[], outputs: ProjectOutputs): void {
  const missing = externalNeeds(selected).filter((s) => isTerraformStage(s) && outputs[s] === undefined);
  if (missing.length > 0) {
    throw new UserError(
      `Stage ${selected.join(",")} needs ${missing.join(" and ")}, which ${missing.length > 1 ? "are" : "is"} not applied.`,
      {
        code: "stage.inputs-missing",
        suggestion: `Run \`triton-ops up --stage ${missing.join(",")}\` first, or --stage all.`,
      },
    );
  }
}

export async function runUp(rt: Runtime, options: UpOptions): Promise<UpResult> {
  const { io } = rt;
  // Before anything is written: a version EKS refuses stops here.
  await gateVersionForStages(rt, options.stages);
  // Where an earlier run stopped first: its Terraform may still be writing the state read next.
  await settleEarlierRuns(rt, options.stages);
  const outputs = await readAllOutputs(rt);
  assertNeedsApplied(options.stages, outputs);
  const needsTerraform = options.stages.some(isTerraformStage);
  const tf = needsTerraform ? await createTerraformRunner(rt) : undefined;
  if (rt.config.sandbox && options.stages.includes("eks")) {
    io.info(
      "Sandbox: EKS access entries and managed add-ons are off (the emulator does not implement those APIs).",
    );
  }
  // Preflight first: a refused account or a missing prerequisite leaves the work dir as it was.
  if (options.preflight && tf) await options.preflight(tf);
  if (tf) await syncStacks(rt.envDir);
  const ask = createMutex();
  const pricing = options.cost === false ? undefined : await startPricing(rt, options);
  let lastCost: CostReport | null = pricing ? await pricing.report({}) : null;
  // Over budget already by the config's figures: refuse before anything is applied.
  if (lastCost) assertWithinBudget(lastCost);

  const execute = async (stage: StageName): Promise<StageOutcome> => {
    const started = Date.now();
    const progress = io.progress(stage);
    const elapsed = () => formatElapsed(Date.now() - started);
    if (!isTerraformStage(stage)) {
      const result = await options.workloads.up(rt, outputs, {
        ...(options.force ? { force: true } : {}),
        ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
        ...(options.context ? { context: options.context } : {}),
        onProgress: (text) => progress.update(text),
      });
      const message = result.reason ?? `${result.objects} objects`;
      progress.done(
        `${stage}: ${result.status} — ${message} (${elapsed()})`,
        result.status === "skipped" ? "skip" : "success",
      );
      return { stage, status: result.status, message, durationMs: Date.now() - started };
    }
    if (!tf) throw new Error("terraform runner missing");
    const plan = await (await import("./terraform-stage.js")).planStage(rt, tf, stage, outputs, { progress });
    if (plan.summary.empty) {
      progress.done(`${stage}: no changes (${elapsed()})`, "success");
      return { stage, status: "unchanged", durationMs: Date.now() - started };
    }
    const counts = { add: plan.summary.add, change: plan.summary.change, destroy: plan.summary.destroy };
    const unrecorded = await findUnrecorded(rt, stage, plan.summary);
    if (unrecorded.length > 0) {
      // Applying would make a second copy beside each (AWS allows it); adopting them is the fix.
      io.info(formatCollisions(stage, unrecorded, io));
      progress.done(
        `${stage}: not applied: ${unrecorded.length} resource(s) already exist in no state`,
        "fail",
      );
      return {
        stage,
        status: "failed",
        counts,
        message: `${unrecorded.length} resource(s) of ${stage} exist in AWS but in no state: ${unrecorded.map((c) => `${c.address}=${c.importId}`).join(", ")}`,
        durationMs: Date.now() - started,
        logFile: plan.logFile,
        exitCode: 1,
        hint: `Adopt them with \`triton-ops import --stage ${stage}\`, then run up again.`,
      };
    }
    const cost = pricing ? await pricing.report({ [stage]: plan.summary.changes }) : undefined;
    if (cost) {
      lastCost = cost;
      assertWithinBudget(cost);
    }
    const approved = await ask(async () => {
      io.info(formatPlanSummary(stage, plan.summary, io.style));
      if (cost) io.info(formatStageCost(cost, stage));
      if (options.yes) return true;
      if (!io.interactive) {
        throw new UserError(`Stage ${stage} has changes to apply and there is no terminal to confirm them.`, {
          code: "prompt.no-tty",
          suggestion: "Review with `triton-ops plan`, then re-run with --yes.",
        });
      }
      return io.confirm(`Apply these changes to ${stage}?`, { default: false });
    });
    if (!approved) {
      progress.done(`${stage}: not applied (declined)`, "skip");
      return { stage, status: "declined", counts, durationMs: Date.now() - started };
    }
    const { applyStagePlan } = await import("./terraform-stage.js");
    await applyStagePlan(rt, tf, plan, operationCount(plan.summary), progress, "applying");
    const fresh = await readStackOutputs(rt, stage);
    if (fresh) outputs[stage] = fresh;
    progress.update("checking the result in AWS");
    const problems = await postCheck(rt.aws, stage, outputs);
    if (problems.length > 0) {
      progress.done(`${stage}: applied, but the post-check failed: ${problems.join("; ")}`, "fail");
      return {
        stage,
        status: "failed",
        counts,
        message: `post-check: ${problems.join("; ")}`,
        durationMs: Date.now() - started,
        logFile: plan.logFile,
        exitCode: 3,
      };
    }
    progress.done(
      `${stage}: applied (+${counts.add} ~${counts.change} -${counts.destroy}) in ${elapsed()}; ${STAGE_DEFINITIONS[stage].summary}`,
      "success",
    );
    return { stage, status: "applied", counts, durationMs: Date.now() - started, logFile: plan.logFile };
  };

  const stages = await runStageGraph(options.stages, "up", reportFailures(rt, execute), rt.ctx.interrupts);
  return { stages, cost: lastCost };
}

/** One price book for the run; each report re-reads the states, so applied stages count as they are. */
async function startPricing(rt: Runtime, options: UpOptions) {
  const book = await priceBookFor(rt);
  // The states as the run found them, read once: reading them again while stages run side by side would
  // re-sync the stack working copies under a running Terraform (the S3 backend reads state through one).
  // Each stage's planned changes are kept, so the project total counts what this run already applied.
  const states = await readAllStates(rt);
  const planned: Partial<Record<StageName, readonly ForecastChange[]>> = {};
  return {
    report: async (changes: Partial<Record<StageName, readonly ForecastChange[]>>) => {
      Object.assign(planned, changes);
      return projectCostReport(rt, states, options.stages, outputsOf(states), {
        changes: planned,
        book,
        ...(options.budget !== undefined ? { budget: options.budget } : {}),
      });
    },
  };
}

/** Ends a stage's live line with the failure, so it is seen where it happened. */
export function reportFailures(
  rt: Runtime,
  execute: (stage: StageName) => Promise<StageOutcome>,
): (stage: StageName) => Promise<StageOutcome> {
  return async (stage) => {
    try {
      return await execute(stage);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      rt.io.progress(stage).done(`${stage}: ${message}`, "fail");
      throw error;
    }
  };
}

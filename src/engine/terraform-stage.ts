import path from "node:path";
import { ExternalError } from "../errors.js";
import type { ProgressLine } from "../io/io.js";
import type { Runtime } from "../runtime.js";
import type { ProjectOutputs, TerraformStage } from "../stages.js";
import { type PlanJson, type PlanSummary, summarizePlan } from "../terraform/plan.js";
import {
  applyMessage,
  formatDiagnostic,
  formatElapsed,
  formatProgressLine,
  newProgress,
  type TerraformDiagnostic,
} from "../terraform/progress.js";
import { runRecordPath } from "../terraform/run-record.js";
import type { TerraformRunner } from "../terraform/runner.js";
import { stackVariables } from "../terraform/variables.js";
import { logFile, prepareStack, writeStackVariables } from "../terraform/workspace.js";

export interface StagePlan {
  stage: TerraformStage;
  dir: string;
  planFile: string;
  summary: PlanSummary;
  plan: PlanJson;
  logFile: string;
}

/**
 * Waits this long for a state lock held by another run before giving up (TRITON_OPS_LOCK_TIMEOUT_SECONDS,
 * default 60): long enough for a teammate's short run to finish, short enough to say so.
 */
export function lockTimeoutSeconds(rt: Runtime): number {
  const seconds = Number(rt.env.TRITON_OPS_LOCK_TIMEOUT_SECONDS ?? "60");
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds) : 60;
}

function lockTimeout(rt: Runtime): string {
  return `-lock-timeout=${lockTimeoutSeconds(rt)}s`;
}

const UNREACHABLE = /connection refused|no such host|i\/o timeout|connect: network is unreachable/i;

/** The endpoint Terraform could not reach, from a provider diagnostic (`Post "http://HOST:PORT/": dial tcp ...`). */
export function unreachableEndpoint(diagnostics: readonly TerraformDiagnostic[]): string | undefined {
  for (const d of diagnostics) {
    const text = `${d.summary}\n${d.detail}`;
    if (!UNREACHABLE.test(text)) continue;
    return /"(https?:\/\/[^"/]+)\/?[^"]*":/.exec(text)?.[1] ?? "the AWS endpoint";
  }
  return undefined;
}

function failure(
  stage: TerraformStage,
  verb: string,
  diagnostics: TerraformDiagnostic[],
  log: string,
  sandbox = false,
): ExternalError {
  const endpoint = unreachableEndpoint(diagnostics);
  if (endpoint) {
    // The raw provider text is a retry trace; what the user needs is where, and what to do next.
    return new ExternalError(`${stage}: terraform ${verb} stopped: cannot reach AWS at ${endpoint}.`, {
      code: "aws.unreachable",
      suggestion: sandbox
        ? `The sandbox emulator stopped (everything in it is gone). Run the same command again: it starts a new one and carries on from the state. Log: ${log}`
        : `Check the network and AWS_ENDPOINT_URL, then run the same command again; it carries on from the state. Log: ${log}`,
    });
  }
  const first = diagnostics[0];
  const text = first ? formatDiagnostic(first) : "no diagnostic was reported";
  const more = diagnostics.length > 1 ? ` (+${diagnostics.length - 1} more in the log)` : "";
  const locked = diagnostics.some((d) => /state lock/i.test(d.summary));
  return new ExternalError(`${stage}: terraform ${verb} failed: ${text}${more}`, {
    code: locked ? "terraform.locked" : "terraform.failed",
    suggestion: locked
      ? `Another run holds the lock; wait for it, or if none is running use \`terraform force-unlock\` with the Lock ID in ${log}.`
      : `Full log: ${log}`,
  });
}

/** init (when needed), tfvars, `plan -detailed-exitcode -out`, and the plan's summary. */
export async function planStage(
  rt: Runtime,
  tf: TerraformRunner,
  stage: TerraformStage,
  outputs: ProjectOutputs,
  options: { destroy?: boolean; progress?: ProgressLine } = {},
): Promise<StagePlan> {
  const verb = options.destroy ? "destroy-plan" : "plan";
  const log = logFile(rt.envDir, stage, options.destroy ? "destroy" : "apply");
  options.progress?.update("initialising");
  const { dir } = await prepareStack(rt, tf, stage);
  // A destroy plan needs the same variables; outputs of stages already gone fall back to state values.
  await writeStackVariables(dir, stackVariables(stage, rt.config, outputs));
  const started = Date.now();
  const diagnostics: TerraformDiagnostic[] = [];
  let refreshed = 0;
  const progressState = newProgress(0);
  const args = ["plan", "-input=false", "-detailed-exitcode", "-out=tfplan", "-json", lockTimeout(rt)];
  if (options.destroy) args.push("-destroy");
  const result = await tf.run(args, {
    cwd: dir,
    logFile: log,
    record: { file: runRecordPath(rt.envDir, stage), stage, planFile: path.join(dir, "tfplan") },
    okExitCodes: [2],
    onJson: (message) => {
      applyMessage(progressState, message);
      if (message.type === "refresh_complete") {
        refreshed += 1;
        options.progress?.update(`planning: ${refreshed} refreshed (${formatElapsed(Date.now() - started)})`);
      }
    },
  });
  diagnostics.push(...progressState.errors);
  if (result.exitCode !== 0 && result.exitCode !== 2)
    throw failure(stage, verb, diagnostics, log, rt.config.sandbox);
  const planFile = path.join(dir, "tfplan");
  if (result.exitCode === 0) {
    return { stage, dir, planFile, summary: summarizePlan({}), plan: {}, logFile: log };
  }
  const shown = await tf.run(["show", "-json", "tfplan"], { cwd: dir, logFile: undefined });
  let plan: PlanJson;
  try {
    plan = JSON.parse(shown.stdout) as PlanJson;
  } catch {
    throw new ExternalError(`${stage}: terraform show -json printed something that is not JSON.`, {
      code: "terraform.bad-json",
      suggestion: `Check the Terraform binary (${tf.binary}); the plan log is ${log}.`,
    });
  }
  return { stage, dir, planFile, summary: summarizePlan(plan), plan, logFile: log };
}

/** Applies a saved plan with a live "resource n of m" line; diagnostics printed cleanly on failure. */
export async function applyStagePlan(
  rt: Runtime,
  tf: TerraformRunner,
  plan: StagePlan,
  total: number,
  progress: ProgressLine,
  verb: "applying" | "destroying",
): Promise<void> {
  const state = newProgress(total);
  const started = Date.now();
  const timer = setInterval(
    () => progress.update(formatProgressLine(verb, state, Date.now() - started)),
    1000,
  );
  try {
    const result = await tf.run(["apply", "-input=false", "-json", lockTimeout(rt), "tfplan"], {
      cwd: plan.dir,
      logFile: plan.logFile,
      record: { file: runRecordPath(rt.envDir, plan.stage), stage: plan.stage, planFile: plan.planFile },
      onJson: (message) => {
        applyMessage(state, message);
        progress.update(formatProgressLine(verb, state, Date.now() - started));
      },
    });
    for (const warning of state.warnings) rt.io.debug(`${plan.stage}: ${formatDiagnostic(warning)}`);
    if (result.exitCode !== 0)
      throw failure(
        plan.stage,
        verb === "applying" ? "apply" : "destroy",
        state.errors,
        plan.logFile,
        rt.config.sandbox,
      );
  } finally {
    clearInterval(timer);
  }
}

/**
 * Drops from the state what no longer exists in AWS (deleted by hand, or a sandbox that restarted), so a
 * stage whose destroy plan is empty stops counting as applied. Only ever removes entries whose objects the
 * refresh found gone; it creates and deletes nothing.
 */
export async function forgetVanished(rt: Runtime, tf: TerraformRunner, plan: StagePlan): Promise<void> {
  const result = await tf.run(
    ["apply", "-refresh-only", "-auto-approve", "-input=false", "-json", lockTimeout(rt)],
    {
      cwd: plan.dir,
      logFile: plan.logFile,
      record: { file: runRecordPath(rt.envDir, plan.stage), stage: plan.stage },
    },
  );
  if (result.exitCode !== 0) throw failure(plan.stage, "refresh", [], plan.logFile, rt.config.sandbox);
}

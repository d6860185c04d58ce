import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { StageName } from "../config/schema.js";
import { ExternalError, InterruptedError } from "../errors.js";
import { isErrno } from "../fs-util.js";
import type { Runtime } from "../runtime.js";
import { isTerraformStage, type TerraformStage } from "../stages.js";
import {
  clearRunRecord,
  groupMembers,
  isRunning,
  type LoggedOutcome,
  outcomeFromLog,
  type RunRecord,
  readLogSegment,
  readRunRecord,
  runRecordPath,
  terraformsIn,
} from "../terraform/run-record.js";
import { localStatePath, stackDir } from "../terraform/workspace.js";
import { lockTimeoutSeconds } from "./terraform-stage.js";

/** What the next run found of an earlier one, for the caller to show and for tests to assert on. */
export interface EarlierRun {
  stage: TerraformStage;
  record: RunRecord;
  waitedMs: number;
  outcome: LoggedOutcome;
  /** Provider plugins the earlier Terraform left running when it died, now stopped. */
  stoppedProcesses: Array<{ pid: number; command: string }>;
  /** A lock file the earlier Terraform left when it died, now removed. */
  staleLock?: string;
}

const POLL_MS = 500;

/**
 * Finds where earlier runs stopped, before anything reads a state: a Terraform that an earlier
 * triton-ops started and that still runs (the earlier run was killed, or is running beside us) is waited
 * for up to the lock timeout rather than raced; one that has ended is read from its log, and what it
 * left behind when it died (provider plugins, the local lock file) is cleaned up.
 */
export async function settleEarlierRuns(rt: Runtime, stages: readonly StageName[]): Promise<EarlierRun[]> {
  const found = await Promise.all(
    stages.filter(isTerraformStage).map((stage) => settleEarlierRun(rt, stage)),
  );
  return found.filter((f): f is EarlierRun => f !== undefined);
}

async function settleEarlierRun(rt: Runtime, stage: TerraformStage): Promise<EarlierRun | undefined> {
  const file = runRecordPath(rt.envDir, stage);
  const record = await readRunRecord(file);
  if (!record) {
    // No record (cleared, never written, or a Terraform someone started by hand): a Terraform still
    // working in the stack's dir is waited for all the same, before anything reads its state.
    await waitForUnrecorded(rt, stage);
    return undefined;
  }
  const what = `terraform ${record.action} (pid ${record.pid}, started ${new Date(record.startedAt).toLocaleTimeString()})`;
  const started = Date.now();
  if (await isRunning(record)) {
    await waitWhile(rt, stage, `${what} from an earlier run`, record.logFile, record.pid, () =>
      isRunning(record),
    );
  }
  const outcome = outcomeFromLog(await readLogSegment(record.logFile, record.logOffset));
  const found: EarlierRun = {
    stage,
    record,
    waitedMs: Date.now() - started,
    outcome,
    stoppedProcesses: await stopLeftovers(record.pid),
  };
  const said = {
    finished: `${stage}: the earlier ${what} finished: ${outcome.summary}`,
    failed: `${stage}: the earlier ${what} failed: ${outcome.summary} (log: ${record.logFile})`,
    stopped: `${stage}: the earlier ${what} was stopped before it finished (${outcome.summary}); carrying on from the state it wrote`,
  }[outcome.result];
  (outcome.result === "finished" ? rt.io.info : rt.io.warn).call(rt.io, said);
  if (found.stoppedProcesses.length > 0) {
    rt.io.warn(
      `${stage}: stopped ${found.stoppedProcesses.length} process(es) it left running: ${found.stoppedProcesses.map((p) => `${p.command} (pid ${p.pid})`).join(", ")}`,
    );
  }
  if (outcome.result !== "finished" && rt.config.state.backend === "local") {
    const lock = await removeStaleLocalLock(localStatePath(rt.envDir, stage), record);
    if (lock) {
      found.staleLock = lock;
      rt.io.warn(`${stage}: removed the lock file it left (${lock}); no Terraform holds it`);
    }
  }
  await clearRunRecord(runRecordPath(rt.envDir, stage), record.pid);
  // Another Terraform may have started in the stack's dir since (a run beside this one).
  await waitForUnrecorded(rt, stage);
  return found;
}

async function waitForUnrecorded(rt: Runtime, stage: TerraformStage): Promise<void> {
  const dir = stackDir(rt.envDir, stage);
  const running = await terraformsIn(dir);
  const first = running[0];
  if (!first) return;
  await waitWhile(
    rt,
    stage,
    `${first.command} (pid ${first.pid}, in ${dir})`,
    path.join(rt.envDir, "logs", `${stage}-*.log`),
    first.pid,
    async () => (await terraformsIn(dir)).length > 0,
  );
}

/** Waits while `alive` says a Terraform of the stage runs, up to the lock timeout, saying so. */
async function waitWhile(
  rt: Runtime,
  stage: TerraformStage,
  what: string,
  log: string,
  pid: number,
  alive: () => Promise<boolean>,
): Promise<void> {
  const seconds = lockTimeoutSeconds(rt);
  rt.io.warn(
    `${stage}: ${what} is still running; waiting up to ${seconds}s for it to finish. Its log: ${log}`,
  );
  const progress = rt.io.progress(stage);
  const started = Date.now();
  const deadline = started + seconds * 1000;
  while (await alive()) {
    if (rt.ctx.interrupts.interrupted) {
      progress.done(`${stage}: stopped waiting for ${what}`, "skip");
      throw new InterruptedError(`Interrupted while waiting for ${what}; it is still running.`, {
        code: "interrupted",
        suggestion: `Run the same command again once it has finished (follow ${log}).`,
      });
    }
    if (Date.now() >= deadline) {
      progress.done(`${stage}: ${what} is still running`, "fail");
      throw new ExternalError(`${stage}: ${what} is still running after ${seconds}s.`, {
        code: "terraform.running",
        suggestion: `Let it finish (follow ${log}), then run the same command again; to stop it cleanly: kill -INT ${pid}. TRITON_OPS_LOCK_TIMEOUT_SECONDS sets how long to wait.`,
      });
    }
    progress.update(`waiting for ${what} (${Math.round((Date.now() - started) / 1000)}s)`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  progress.done(`${stage}: ${what} has ended`, "success");
}

/**
 * The recorded Terraform led its own process group; anything still in that group once it is gone is a
 * provider plugin it started and will never stop (about 0.5 GB each for terraform-provider-aws).
 */
async function stopLeftovers(pgid: number): Promise<Array<{ pid: number; command: string }>> {
  const members = await groupMembers(pgid);
  if (members.length === 0) return [];
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pgid, s);
    } catch {
      // gone already
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + 5000;
  while ((await groupMembers(pgid)).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if ((await groupMembers(pgid)).length > 0) signal("SIGKILL");
  return members;
}

/**
 * The local backend locks with an OS file lock (freed when its holder dies) and also writes
 * `.<state>.lock.info`, which a killed Terraform leaves behind. It is removed only when it was written by
 * the dead run recorded here (created at or after that run started) and that run is gone.
 */
async function removeStaleLocalLock(stateFile: string, record: RunRecord): Promise<string | undefined> {
  const lock = path.join(path.dirname(stateFile), `.${path.basename(stateFile)}.lock.info`);
  let info: { Created?: string };
  try {
    info = JSON.parse(await readFile(lock, "utf8")) as { Created?: string };
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    // Unreadable lock info: written when the process died mid-write, so it is the dead run's.
    info = {};
  }
  const created = info.Created ? Date.parse(info.Created) : Number.NaN;
  if (Number.isFinite(created) && created < Date.parse(record.startedAt) - 1000) return undefined;
  await rm(lock, { force: true });
  return lock;
}

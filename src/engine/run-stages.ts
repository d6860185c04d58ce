import type { StageName } from "../config/schema.js";
import { InterruptedError, TritonOpsError } from "../errors.js";
import type { Interrupts } from "../signals.js";
import { blockedBy, readyToDestroy, readyToStart } from "./schedule.js";

export type StageStatus =
  | "applied"
  | "unchanged"
  | "skipped"
  | "destroyed"
  | "failed"
  | "blocked"
  | "declined"
  | "interrupted";

export interface StageOutcome {
  stage: StageName;
  status: StageStatus;
  message?: string;
  /** Resources added/changed/destroyed, when Terraform ran. */
  counts?: { add: number; change: number; destroy: number };
  durationMs: number;
  logFile?: string;
  /** Exit code the failure maps to (2 for bad input, 3 for AWS/Terraform). */
  exitCode?: number;
  /** What to do about a failure, one line. */
  hint?: string;
}

const SUCCESS: ReadonlySet<StageStatus> = new Set(["applied", "unchanged", "skipped", "destroyed"]);

export function succeeded(outcome: StageOutcome): boolean {
  return SUCCESS.has(outcome.status);
}

/**
 * Runs stages as a dependency graph: each starts as soon as what it needs is done (forward for `up`,
 * reverse for `down`); a failure stops only the stages that depend on it; Ctrl-C starts nothing new.
 */
export async function runStageGraph(
  selected: readonly StageName[],
  direction: "up" | "down",
  execute: (stage: StageName) => Promise<StageOutcome>,
  interrupts?: Interrupts,
): Promise<StageOutcome[]> {
  const outcomes = new Map<StageName, StageOutcome>();
  const started = new Set<StageName>();
  const finishedOk = new Set<StageName>();
  const stopped = new Set<StageName>();
  const running = new Map<StageName, Promise<void>>();

  const launch = (stage: StageName) => {
    started.add(stage);
    const t0 = Date.now();
    const task = execute(stage)
      .catch((error: unknown): StageOutcome => {
        const interrupted = error instanceof InterruptedError;
        return {
          stage,
          status: interrupted ? "interrupted" : "failed",
          message: error instanceof Error ? error.message : String(error),
          durationMs: Date.now() - t0,
          exitCode: error instanceof TritonOpsError ? error.exitCode : 3,
          ...(error instanceof TritonOpsError && error.suggestion ? { hint: error.suggestion } : {}),
        };
      })
      .then((outcome) => {
        outcomes.set(stage, outcome);
        (succeeded(outcome) ? finishedOk : stopped).add(stage);
        running.delete(stage);
      });
    running.set(stage, task);
  };

  for (;;) {
    // Going down, a failure stops everything after it: what it protects must not go first.
    const canStart = !interrupts?.interrupted && !(direction === "down" && stopped.size > 0);
    if (canStart) {
      const ready =
        direction === "up"
          ? readyToStart(selected, started, finishedOk)
          : readyToDestroy(selected, started, finishedOk);
      for (const stage of ready) launch(stage);
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  const blocked =
    direction === "up" ? blockedBy(selected, started, stopped) : new Map<StageName, StageName>();
  return selected.map(
    (stage) =>
      outcomes.get(stage) ?? {
        stage,
        status: interrupts?.interrupted ? "interrupted" : "blocked",
        message: interrupts?.interrupted
          ? "not started: interrupted"
          : blocked.has(stage)
            ? `not started: ${blocked.get(stage)} did not complete`
            : "not started: an earlier stage did not complete",
        durationMs: 0,
      },
  );
}

/** Worst exit code of a run: 130 interrupted > 3 failed > 2 bad input > 1 declined > 0. */
export function exitCodeFor(outcomes: readonly StageOutcome[]): number {
  if (outcomes.some((o) => o.status === "interrupted")) return 130;
  const failures = outcomes.filter((o) => o.status === "failed").map((o) => o.exitCode ?? 3);
  if (failures.length > 0) return Math.max(...failures);
  if (outcomes.some((o) => o.status === "declined" || o.status === "blocked")) return 1;
  return 0;
}

/** Serialises questions from stages running side by side so prompts never interleave. */
export function createMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>) => {
    const result = tail.then(fn, fn);
    tail = result.catch(() => undefined);
    return result;
  };
}

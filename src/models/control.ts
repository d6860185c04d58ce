/**
 * Getting models READY after their files changed, in the two model control modes that pick changes up
 * (docs/user_guide/model_management.md of triton-inference-server/server):
 *   - explicit: Triton loads only on request, so each model is loaded (POST /v2/repository/models/NAME/load,
 *     which answers once the load has finished or failed) and its state read back from the repository index;
 *   - poll: Triton looks at the repository every --repository-poll-secs, so nothing is asked of it: the wait
 *     lets one interval pass (it cannot have seen the change sooner), then reads the index until each model
 *     is READY or has failed.
 * Either way the wait is bounded, and a model that is not READY is reported with the reason Triton gives.
 */
import type { ModelControlMode } from "../config/schema.js";
import { UserError } from "../errors.js";
import {
  acrossReplicas,
  type IndexEntry,
  loadOrUnload,
  repositoryIndex,
  type TritonTransport,
} from "./triton.js";

export interface ModelReadiness {
  name: string;
  state: string;
  reason: string;
  ready: boolean;
}

export interface WaitResult {
  address: string;
  mode: "explicit" | "poll";
  ok: boolean;
  /** True when the deadline came before every model was READY or had failed. */
  timedOut: boolean;
  /** explicit mode: models whose files were all deleted, unloaded so Triton stops serving them. */
  unloaded: string[];
  waitedMs: number;
  models: ModelReadiness[];
  /** When loaded on each replica through its pod: how each fared (models not READY there, by name). */
  replicas?: Array<{ pod: string; ok: boolean; notReady: string[] }>;
}

export interface WaitOptions {
  mode: "explicit" | "poll";
  timeoutMs: number;
  /** poll mode: Triton's --repository-poll-secs, in ms; the wait lets this much pass first. */
  pollIntervalMs?: number;
  /** How often the index is read while waiting. */
  checkEveryMs?: number;
  /** explicit mode: models to unload first (deleted from the repository). */
  unload?: readonly string[];
  onProgress?: (message: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Pure: a state Triton will not leave by itself (a failed load keeps its reason until the next attempt). */
function settled(entry: IndexEntry | undefined, mode: "explicit" | "poll"): boolean {
  if (!entry) return false;
  if (entry.state === "READY") return true;
  if (entry.state === "LOADING" || entry.state === "UNLOADING") return false;
  // "unloaded" is where every model starts in explicit mode; in poll mode the next poll may still load it.
  return mode === "explicit" || ((entry.reason ?? "") !== "" && entry.reason !== "unloaded");
}

/** Pure: the readiness of each named model from one read of the index. */
export function readiness(names: readonly string[], index: readonly IndexEntry[]): ModelReadiness[] {
  return names.map((name) => {
    const entry = index.find((e) => e.name === name);
    if (!entry) return { name, state: "MISSING", reason: "not in Triton's repository index", ready: false };
    const state = entry.state ?? "UNKNOWN";
    return { name, state, reason: entry.reason ?? "", ready: state === "READY" };
  });
}

/**
 * Refuses a wait that cannot succeed before anything is synced: --load needs explicit mode, --wait needs a
 * mode that picks changes up.
 */
export function checkControlFlags(
  mode: ModelControlMode,
  flags: { load?: boolean; wait?: boolean },
): "explicit" | "poll" | undefined {
  if (flags.load && mode !== "explicit") {
    throw new UserError(`--load needs triton.modelControlMode: explicit; this project uses ${mode}.`, {
      code: "models.not-explicit",
      suggestion:
        mode === "poll"
          ? "In poll mode Triton picks the changes up by itself: use --wait to wait for them."
          : "Set triton.modelControlMode: explicit and run `triton-ops up --stage workloads`.",
    });
  }
  if (flags.wait && mode === "none") {
    throw new UserError(
      "--wait: in model control mode none Triton reads the repository only when it starts.",
      {
        code: "models.mode-none",
        suggestion:
          "Restart it (`kubectl -n triton rollout restart deployment/triton`), or use poll or explicit mode.",
      },
    );
  }
  if (flags.wait && mode === "explicit" && !flags.load) {
    throw new UserError("--wait: in explicit mode Triton loads a model only when asked to.", {
      code: "models.not-explicit",
      suggestion: "Use --load, which loads the synced models and waits for them.",
    });
  }
  if (flags.load) return "explicit";
  return flags.wait ? "poll" : undefined;
}

/** Loads (explicit) or waits for (poll) the named models until each is READY or failed, or the deadline. */
export async function loadAndWait(
  t: TritonTransport,
  names: readonly string[],
  options: WaitOptions,
): Promise<WaitResult> {
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? sleepFor;
  const progress = options.onProgress ?? (() => {});
  const started = now();
  const deadline = started + options.timeoutMs;
  const unloaded: string[] = [];
  if (options.mode === "explicit") {
    for (const name of options.unload ?? []) {
      progress(`unloading ${name}, deleted from the repository`);
      // A model Triton never loaded refuses the unload; what matters is that it is not served.
      await loadOrUnload(t, name, "unload")
        .then(() => unloaded.push(name))
        .catch((error: unknown) => {
          if ((error as { code?: string }).code === "models.not-explicit") throw error;
        });
    }
    for (const [i, name] of names.entries()) {
      progress(`loading ${name} (${i + 1}/${names.length})`);
      // A refused load is not thrown: its reason is what the index reports next. Only "this Triton is not
      // in explicit mode" stops everything, as it would refuse every model alike.
      await loadOrUnload(t, name, "load").catch((error: unknown) => {
        if ((error as { code?: string }).code === "models.not-explicit") throw error;
      });
    }
  } else {
    const first = Math.min(options.pollIntervalMs ?? 0, options.timeoutMs);
    progress(`waiting ${Math.round(first / 1000)} s, one poll interval, for Triton to see the change`);
    await sleep(first);
  }
  let index = await repositoryIndex(t);
  while (
    !names.every((n) =>
      settled(
        index.find((e) => e.name === n),
        options.mode,
      ),
    ) &&
    now() < deadline
  ) {
    const waiting = names.filter(
      (n) =>
        !settled(
          index.find((e) => e.name === n),
          options.mode,
        ),
    );
    progress(`waiting for ${waiting.join(", ")} to be READY`);
    await sleep(Math.min(options.checkEveryMs ?? 2000, Math.max(0, deadline - now())));
    index = await repositoryIndex(t);
  }
  const models = readiness(names, index);
  const timedOut = !names.every((n) =>
    settled(
      index.find((e) => e.name === n),
      options.mode,
    ),
  );
  return {
    address: t.address,
    mode: options.mode,
    ok: models.every((m) => m.ready),
    timedOut,
    unloaded,
    waitedMs: now() - started,
    models,
  };
}

/**
 * loadAndWait on every replica at once, each through its own transport (one pod each), as one result: a
 * model is READY only when it is READY on every replica, and one that is not names the pod it failed on.
 * A Service spreads requests over its replicas, so a model loaded on one of them fails a share of them.
 */
export async function loadAndWaitAll(
  transports: readonly TritonTransport[],
  names: readonly string[],
  options: WaitOptions,
): Promise<WaitResult> {
  const [only] = transports;
  if (transports.length === 1 && only) return loadAndWait(only, names, options);
  const results = await Promise.all(
    transports.map((t) =>
      loadAndWait(t, names, {
        ...options,
        onProgress: (text) => options.onProgress?.(`${t.pod ?? t.address}: ${text}`),
      }),
    ),
  );
  return mergeReplicaResults(results.map((r, i) => ({ pod: transports[i]?.pod ?? r.address, result: r })));
}

/** Pure: one result from each replica's, by the rule of loadAndWaitAll. */
export function mergeReplicaResults(
  replicas: ReadonlyArray<{ pod: string; result: WaitResult }>,
): WaitResult {
  const [first] = replicas;
  if (!first) throw new Error("mergeReplicaResults needs at least one replica");
  // Every replica was asked for the same models; the first one's list gives their names and order.
  const merged = acrossReplicas(
    replicas.map((r) => ({ pod: r.pod, models: r.result.models })),
    first.result.models.map((m) => m.name),
    "",
  );
  return {
    ...merged,
    mode: first.result.mode,
    ok: replicas.every((r) => r.result.ok),
    timedOut: replicas.some((r) => r.result.timedOut),
    unloaded: [...new Set(replicas.flatMap((r) => r.result.unloaded))].sort(),
    waitedMs: Math.max(...replicas.map((r) => r.result.waitedMs)),
  };
}

/** Pure: what happens to synced files without --load or --wait, by model control mode. */
export function pickupNote(triton: {
  modelControlMode: ModelControlMode;
  repositoryPollSeconds: number;
}): string {
  switch (triton.modelControlMode) {
    case "poll":
      return `Triton polls the repository every ${triton.repositoryPollSeconds} s: the changes are picked up within ${triton.repositoryPollSeconds} s (--wait waits for them to be READY).`;
    case "explicit":
      return "Triton is in explicit mode: it serves the changes once they are loaded (--load, or `triton-ops models load NAME`).";
    default:
      return "Triton is in model control mode none: it reads the repository only when it starts (`kubectl -n triton rollout restart deployment/triton`).";
  }
}

/** Pure: the models none of whose files are left after a sync's deletions (keys under prefix). */
export function removedModels(
  deletedKeys: readonly string[],
  prefix: string,
  kept: readonly string[],
): string[] {
  const names = deletedKeys.map((key) => key.slice(prefix.length).split("/")[0] ?? "");
  return [...new Set(names)].filter((name) => name !== "" && !kept.includes(name)).sort();
}

/** Pure: one line per model that is not READY, with Triton's reason, and a summary. */
export function formatWait(result: WaitResult, timeoutS: number): string {
  const lines = result.models
    .filter((m) => !m.ready)
    .map((m) => `  ${m.name}: ${m.state}${m.reason ? `: ${m.reason}` : ""}`);
  const ready = result.models.filter((m) => m.ready).length;
  const verb = result.mode === "explicit" ? "Loaded" : "Picked up";
  const head = result.ok
    ? `${verb} ${ready} model(s) on ${result.address}: all READY (${(result.waitedMs / 1000).toFixed(1)} s).`
    : `${result.models.length - ready} of ${result.models.length} model(s) not READY on ${result.address}${result.timedOut ? ` after ${timeoutS} s` : ""}:`;
  const gone =
    result.unloaded.length > 0
      ? [`Unloaded ${result.unloaded.join(", ")}: deleted from the repository.`]
      : [];
  return [...gone, head, ...lines].join("\n");
}

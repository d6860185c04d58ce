import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";

/** Callers of withSteadyYoungGeneration still running: the factor is restored when the last one ends. */
let holders = 0;

export function userTunesYoungGeneration(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? "",
): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) =>
    /^--(max|min)[-_]semi[-_]space[-_]size|^--semi[-_]space[-_]growth[-_]factor/.test(arg),
  );
}

/**
 * Runs `work` with V8's young generation held at the size it has, for long runs of many small requests
 * (`models sync` uploads). Such a run keeps a few requests' objects alive across every scavenge, and V8
 * answers that by doubling the young generation up to its limit, which Node 22 and later size from the
 * machine's memory: on the 2-core, 24 GiB test machine 1,000 small PutObjects took Node 26's new space to
 * 52 MB (Node 20's to 32 MB, its fixed limit), and the process to 170 MB of RSS (118 MB on Node 20).
 *
 * V8 reads its semi-space limit only at start-up (`--max-semi-space-size` set from here has no effect), but
 * it reads the growth factor at each resize, so a factor of 1 stops the growth from here. Measured there
 * (bench/models.mjs's tree, the factor set where `models sync` sets it, once the S3 client is loaded): on
 * Node 26.12 the small files' peak fell from 165-170 MB to 128-134 MB and the 2 GB tree's from 220-226 MB to
 * 183 MB, no slower; on Node 20, from 117 to 103 MB and from 169 to 153 MB. What the young
 * generation would have held is promoted instead and freed by the old generation's collector.
 *
 * Left alone when the user tunes the young generation through Node's options. The default factor (2, on
 * every supported Node) is restored when the last concurrent caller finishes.
 */
export async function withSteadyYoungGeneration<T>(work: () => Promise<T>): Promise<T> {
  if (userTunesYoungGeneration()) return work();
  if (holders++ === 0) setFlagsFromString("--semi-space-growth-factor=1");
  try {
    return await work();
  } finally {
    if (--holders === 0) setFlagsFromString("--semi-space-growth-factor=2");
  }
}

/** The young generation's current size in bytes (V8's "new_space"), for the measurement above. */
export function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size ?? 0;
}

// `triton-ops loadtest`: closed-loop levels against one model, one level per concurrency, after reading the
// model's metadata to build the request. Option parsing and the report are pure; I/O is in the deps.
import { ExternalError, UserError } from "../errors.js";
import { buildInferRequest, hourlyPrice, type LevelResult, type ModelMetadata, runLevel } from "./load.js";

export interface LoadtestOptions {
  model: string;
  url: string;
  concurrency: number[];
  durationMs: number;
  instanceType: string;
  signal?: AbortSignal;
  onLevel?: (level: LevelResult) => void;
}

export interface LoadtestResult {
  model: string;
  url: string;
  instanceType: string;
  hourlyUsd: number | null;
  interrupted: boolean;
  levels: LevelResult[];
}

const bad = (message: string) =>
  new UserError(message, { code: "loadtest.bad-option", suggestion: "See `triton-ops loadtest --help`." });

/** Pure: "1,2,4,8,16" into distinct positive integers, in order. */
export function parseConcurrency(value: string): number[] {
  const parts = value.split(",").map((p) => p.trim());
  const levels = parts.map(Number);
  if (parts.length === 0 || levels.some((n, i) => !/^\d+$/.test(parts[i]!) || n < 1 || n > 1024)) {
    throw bad(`--concurrency "${value}" must be a comma-separated list of whole numbers from 1 to 1024.`);
  }
  return [...new Set(levels)];
}

/** Pure: "30s", "2m" or "500ms" into milliseconds (1 s to 1 h). */
export function parseDuration(value: string): number {
  const m = /^(\d+)(ms|s|m)$/.exec(value.trim());
  const ms = m
    ? Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 } as const)[m[2] as "ms" | "s" | "m"]
    : Number.NaN;
  if (!Number.isFinite(ms) || ms < 1000 || ms > 3_600_000) {
    throw bad(`--duration "${value}" must be a time from 1s to 60m, such as 30s or 2m.`);
  }
  return ms;
}

async function readMetadata(url: string, model: string): Promise<ModelMetadata> {
  const where = new URL(`/v2/models/${encodeURIComponent(model)}`, url);
  let response: Response;
  try {
    response = await fetch(where);
  } catch (error) {
    throw new ExternalError(`Cannot reach Triton at ${url}: ${(error as Error).message}`, {
      code: "loadtest.unreachable",
      suggestion: "Check --url, or leave it out to go through a port-forward to the cluster's Triton.",
    });
  }
  if (response.status !== 200) {
    throw new UserError(
      `Triton at ${url} has no model "${model}" (GET ${where.pathname} answered ${response.status}).`,
      {
        code: "loadtest.no-model",
        suggestion: "List the loaded models with GET /v2/repository/index, or check the name.",
      },
    );
  }
  return (await response.json()) as ModelMetadata;
}

export async function runLoadtest(options: LoadtestOptions): Promise<LoadtestResult> {
  const metadata = await readMetadata(options.url, options.model);
  const body = JSON.stringify(buildInferRequest(metadata));
  const hourlyUsd = hourlyPrice(options.instanceType);
  const levels: LevelResult[] = [];
  for (const concurrency of options.concurrency) {
    if (options.signal?.aborted) break;
    const level = await runLevel({
      url: options.url,
      model: options.model,
      body,
      concurrency,
      durationMs: options.durationMs,
      ...(hourlyUsd !== undefined ? { hourlyUsd } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (level.requests > 0) levels.push(level);
    options.onLevel?.(level);
  }
  return {
    model: options.model,
    url: options.url,
    instanceType: options.instanceType,
    hourlyUsd: hourlyUsd ?? null,
    interrupted: options.signal?.aborted === true,
    levels,
  };
}

/** Pure: the report as a table. */
export function formatLoadtest(result: LoadtestResult): string {
  const header = ["concurrency", "p50 ms", "p90 ms", "p99 ms", "req/s", "errors", "USD/1k inferences"];
  const rows = result.levels.map((l) => [
    String(l.concurrency),
    l.p50Ms.toFixed(1),
    l.p90Ms.toFixed(1),
    l.p99Ms.toFixed(1),
    l.throughputPerSecond.toFixed(1),
    `${(l.errorRate * 100).toFixed(1)}%`,
    l.costPer1000Usd === null ? "-" : l.costPer1000Usd.toFixed(5),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  const price =
    result.hourlyUsd === null
      ? `no price for ${result.instanceType} in the price table`
      : `${result.instanceType} at ${result.hourlyUsd} USD/h on demand (us-east-1 list price, November 2026)`;
  return [
    `${result.model} at ${result.url}; cost at ${price}${result.interrupted ? "; interrupted, levels so far" : ""}`,
    line(header),
    ...rows.map(line),
  ].join("\n");
}

// Closed-loop load against Triton's HTTP/REST inference API (KServe v2 predict protocol, Triton's
// docs/protocol/README.md): `concurrency` workers, each sending its next request when the previous answers,
// for a fixed time per level. Requests are built from the model's metadata (GET /v2/models/NAME). The
// statistics and the request are pure; only `runLevel` does I/O (node:http with a keep-alive agent, so the
// generator's own cost stays small next to the server's).
import http from "node:http";
import https from "node:https";
import { bundledPrices } from "../cost/prices.js";

export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  inputs: TensorMetadata[];
  outputs?: TensorMetadata[];
}

const NUMERIC = new Set([
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
]);

/** Pure: an inference request for this model, each input zero-filled; variable dimensions (-1) become 1. */
export function buildInferRequest(metadata: ModelMetadata): {
  inputs: Array<{ name: string; datatype: string; shape: number[]; data: unknown[] }>;
} {
  return {
    inputs: metadata.inputs.map((input) => {
      const shape = input.shape.map((d) => (d < 0 ? 1 : d));
      const count = shape.reduce((a, b) => a * b, 1);
      const fill = input.datatype === "BYTES" ? "" : input.datatype === "BOOL" ? false : 0;
      if (input.datatype !== "BYTES" && !NUMERIC.has(input.datatype)) {
        throw new Error(
          `input ${input.name} has datatype ${input.datatype}, which the JSON protocol cannot carry`,
        );
      }
      return { name: input.name, datatype: input.datatype, shape, data: new Array(count).fill(fill) };
    }),
  };
}

export interface LevelResult {
  concurrency: number;
  requests: number;
  errors: number;
  errorRate: number;
  durationMs: number;
  throughputPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** USD per 1,000 successful inferences at the node's hourly price; null when the price is unknown. */
  costPer1000Usd: number | null;
}

/** Pure: the q-quantile (0..1) of sorted values, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/** Pure: one level's figures from its latencies (ms), error count and wall time. */
export function summarize(
  concurrency: number,
  latenciesMs: readonly number[],
  errors: number,
  durationMs: number,
  hourlyUsd: number | undefined,
): LevelResult {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const requests = sorted.length + errors;
  const ok = sorted.length;
  const throughput = durationMs > 0 ? (ok * 1000) / durationMs : 0;
  const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
  return {
    concurrency,
    requests,
    errors,
    errorRate: requests > 0 ? round(errors / requests, 4) : 0,
    durationMs: Math.round(durationMs),
    throughputPerSecond: round(throughput, 1),
    p50Ms: round(quantile(sorted, 0.5)),
    p90Ms: round(quantile(sorted, 0.9)),
    p99Ms: round(quantile(sorted, 0.99)),
    costPer1000Usd:
      hourlyUsd !== undefined && throughput > 0 ? round((hourlyUsd / 3600 / throughput) * 1000, 5) : null,
  };
}

/** The on-demand hourly price of a GPU instance type, from the one price model's bundled book (dated). */
export function hourlyPrice(instanceType: string, region = "us-east-1"): number | undefined {
  return bundledPrices(region).instanceHour[instanceType];
}

export interface LevelOptions {
  /** Base URL of Triton's HTTP endpoint, e.g. http://127.0.0.1:8000 */
  url: string;
  model: string;
  body: string;
  concurrency: number;
  durationMs: number;
  hourlyUsd?: number;
  /** Stops the level early (Ctrl-C); what was measured so far is kept. */
  signal?: AbortSignal;
}

/** Runs one closed-loop level: `concurrency` workers sending back to back until the time is up. */
export async function runLevel(options: LevelOptions): Promise<LevelResult> {
  const target = new URL(`/v2/models/${encodeURIComponent(options.model)}/infer`, options.url);
  const client = target.protocol === "https:" ? https : http;
  const agent = new client.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const body = Buffer.from(options.body);
  const headers = { "content-type": "application/json", "content-length": String(body.length) };
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const deadline = start + options.durationMs;
  const once = () =>
    new Promise<boolean>((resolve) => {
      const req = client.request(target, { method: "POST", agent, headers }, (res) => {
        res.on("data", () => {});
        res.on("end", () => resolve(res.statusCode === 200));
        res.on("error", () => resolve(false));
      });
      req.on("error", () => resolve(false));
      req.end(body);
    });
  const worker = async () => {
    while (performance.now() < deadline && !options.signal?.aborted) {
      const t0 = performance.now();
      const ok = await once();
      if (ok) latencies.push(performance.now() - t0);
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsed = performance.now() - start;
  agent.destroy();
  return summarize(options.concurrency, latencies, errors, elapsed, options.hourlyUsd);
}

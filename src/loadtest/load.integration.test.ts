// The load generator against a loopback server that answers Triton's infer endpoint after a fixed
// service time, refusing a request that does not match the model's inputs (as Triton does, HTTP 400).
import { once } from "node:events";
import { mkdtemp } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../test/support/run-cli.js";
import { buildInferRequest, hourlyPrice, type ModelMetadata, quantile, runLevel, summarize } from "./load.js";

const metadata: ModelMetadata = {
  name: "identity",
  inputs: [
    { name: "INPUT0", datatype: "FP32", shape: [-1, 4] },
    { name: "TEXT", datatype: "BYTES", shape: [1] },
  ],
};

const SERVICE_MS = 20;
let server: Server;
let url: string;
let inFlight = 0;
let maxInFlight = 0;
let failWith: number | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    // GET /v2/models/NAME: the model metadata (Triton's docs/protocol, KServe v2 model metadata).
    if (req.method === "GET") {
      const known = req.url === "/v2/models/identity";
      res.writeHead(known ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify(known ? metadata : { error: "unknown model" }));
      return;
    }
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        const request = JSON.parse(body) as {
          inputs: Array<{ name: string; shape: number[]; data: unknown[] }>;
        };
        const matches =
          req.url === "/v2/models/identity/infer" &&
          request.inputs.length === 2 &&
          request.inputs.every((i) => i.data.length === i.shape.reduce((a, b) => a * b, 1));
        const status = failWith ?? (matches ? 200 : 400);
        res.writeHead(status, { "content-type": "application/json" });
        res.end(status === 200 ? JSON.stringify({ model_name: "identity", outputs: [] }) : '{"error":"bad"}');
      }, SERVICE_MS);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => server.close());

describe("buildInferRequest", () => {
  it("zero-fills every input, variable dimensions as 1", () => {
    const request = buildInferRequest(metadata);
    expect(request.inputs).toEqual([
      { name: "INPUT0", datatype: "FP32", shape: [1, 4], data: [0, 0, 0, 0] },
      { name: "TEXT", datatype: "BYTES", shape: [1], data: [""] },
    ]);
    expect(() =>
      buildInferRequest({ name: "x", inputs: [{ name: "a", datatype: "COMPLEX", shape: [1] }] }),
    ).toThrow(/datatype COMPLEX/);
  });
});

describe("summarize", () => {
  it("gives nearest-rank quantiles, throughput, error rate and cost per 1,000 inferences", () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1);
    const r = summarize(8, latencies, 25, 1000, 1.006);
    expect([r.p50Ms, r.p90Ms, r.p99Ms]).toEqual([50, 90, 99]);
    expect(r.throughputPerSecond).toBe(100);
    expect(r.errorRate).toBe(0.2);
    // 1.006 USD/h at 100 inferences/s.
    expect(r.costPer1000Usd).toBeCloseTo((1.006 / 3600 / 100) * 1000, 5);
    expect(summarize(1, [], 3, 1000, 1).costPer1000Usd).toBeNull();
    expect(quantile([], 0.5)).toBeNaN();
    expect(hourlyPrice("g5.xlarge")).toBe(1.006);
  });
});

describe("runLevel against a fixed service time", () => {
  const body = JSON.stringify(buildInferRequest(metadata));

  it("keeps exactly `concurrency` requests in flight and measures the service time", async () => {
    maxInFlight = 0;
    const r = await runLevel({
      url,
      model: "identity",
      body,
      concurrency: 4,
      durationMs: 1500,
      hourlyUsd: 1.006,
    });
    expect(maxInFlight).toBe(4);
    expect(r.errors).toBe(0);
    expect(r.p50Ms).toBeGreaterThanOrEqual(SERVICE_MS);
    expect(r.p50Ms).toBeLessThan(SERVICE_MS * 3);
    expect(r.p99Ms).toBeGreaterThanOrEqual(r.p50Ms);
    // Closed loop: at most concurrency / service time.
    expect(r.throughputPerSecond).toBeLessThanOrEqual((4 * 1000) / SERVICE_MS);
    expect(r.throughputPerSecond).toBeGreaterThan((4 * 1000) / SERVICE_MS / 3);
    expect(r.costPer1000Usd).not.toBeNull();
  });

  it("counts answers other than 200 as errors", async () => {
    failWith = 500;
    try {
      const r = await runLevel({ url, model: "identity", body, concurrency: 2, durationMs: 300 });
      expect(r.requests).toBeGreaterThan(0);
      expect(r.errorRate).toBe(1);
    } finally {
      failWith = undefined;
    }
    const wrong = await runLevel({
      url,
      model: "identity",
      body: '{"inputs":[]}',
      concurrency: 1,
      durationMs: 200,
    });
    expect(wrong.errorRate).toBe(1);
  });

  it("stops early when aborted and keeps what it measured", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const r = await runLevel({
      url,
      model: "identity",
      body,
      concurrency: 2,
      durationMs: 30_000,
      signal: controller.signal,
    });
    expect(r.durationMs).toBeLessThan(2000);
    expect(r.requests).toBeGreaterThan(0);
  });
});

describe("triton-ops loadtest", () => {
  it("runs each level against --url and reports latency, throughput, errors and cost as JSON", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "triton-ops-loadtest-"));
    const run = await runCli(
      `loadtest --model identity --url ${url} --concurrency 1,4 --duration 1s --json`,
      {
        cwd,
        env: {},
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.levels.map((l: { concurrency: number }) => l.concurrency)).toEqual([1, 4]);
    for (const level of result.levels) {
      expect(level.errorRate).toBe(0);
      expect(level.p50Ms).toBeGreaterThanOrEqual(SERVICE_MS);
      expect(level.costPer1000Usd).toBeGreaterThan(0);
    }
    // Four workers get through more than one in the same time.
    expect(result.levels[1].throughputPerSecond).toBeGreaterThan(result.levels[0].throughputPerSecond * 2);
    expect(result.instanceType).toBe("g5.xlarge");
  });

  it("refuses bad options and unknown models in one line", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "triton-ops-loadtest-"));
    const zero = await runCli(`loadtest --model identity --url ${url} --concurrency 0,2`, { cwd, env: {} });
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain("--concurrency");
    expect(zero.stderr).not.toContain("    at ");
    const long = await runCli(`loadtest --model identity --url ${url} --duration 2h`, { cwd, env: {} });
    expect(long.code).toBe(2);
    const unknown = await runCli(`loadtest --model nope --url ${url} --duration 1s`, { cwd, env: {} });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no model "nope"');
  });
});

// `loadtest --plot` through the whole CLI against the Triton stand-in with a fixed service time: the SVG
// parses and holds both panels, their series and axis titles; the PNG is a PNG of a sane size.
import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../test/support/run-cli.js";
import { startTritonStandin, type TritonStandin } from "../../test/support/triton-standin.js";

const SERVICE_MS = 10;
let triton: TritonStandin;
let dir: string;

beforeAll(async () => {
  triton = await startTritonStandin(
    path.resolve(import.meta.dirname, "../../templates/sample-model/models"),
    {
      serviceTimeMs: SERVICE_MS,
    },
  );
  dir = await mkdtemp(path.join(os.tmpdir(), "loadtest-plot-"));
});

afterAll(() => triton?.stop());

const run = (plot: string) =>
  runCli(
    `loadtest --model identity --url ${triton.url} --concurrency 1,4 --duration 1s --json --plot ${plot}`,
    {
      cwd: dir,
      env: { ...process.env },
    },
  );

describe("loadtest --plot", () => {
  it("draws latency percentiles and throughput against concurrency as SVG", async () => {
    const result = await run("plot.svg");
    expect(result.code, result.stderr).toBe(0);
    const levels = (JSON.parse(result.stdout) as { levels: Array<{ concurrency: number; p50Ms: number }> })
      .levels;
    expect(levels.map((l) => l.concurrency)).toEqual([1, 4]);
    // The stand-in's fixed service time shows in what was plotted.
    expect(levels[0]!.p50Ms).toBeGreaterThanOrEqual(SERVICE_MS);
    const svg = await readFile(path.join(dir, "plot.svg"), "utf8");
    // Well-formed XML with an <svg> root.
    expect(XMLValidator.validate(svg)).toBe(true);
    const tree = new XMLParser({ ignoreAttributes: false }).parse(svg) as Record<string, unknown>;
    expect(Object.keys(tree)).toEqual(["svg"]);
    const text = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    for (const label of [
      "Latency",
      "Throughput",
      "Latency (ms)",
      "Throughput (requests/s)",
      "Concurrency (requests in flight)",
      "p50",
      "p90",
      "p99",
      "Percentile",
    ]) {
      expect(text, label).toContain(label);
    }
    // One line per series: p50, p90 and p99 in the latency panel, throughput in the other, each its colour.
    expect(svg.match(/class="mark-line role-mark/g)?.length).toBe(4);
    for (const colour of ["#1f77b4", "#ff7f0e", "#d62728", "#2ca02c"])
      expect(svg, colour).toContain(`stroke="${colour}"`);
  });

  it("writes a PNG of a sane size", async () => {
    const result = await run("plot.png");
    expect(result.code, result.stderr).toBe(0);
    const png = await readFile(path.join(dir, "plot.png"));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBeGreaterThan(800);
    expect(width).toBeLessThan(4000);
    expect(height).toBeGreaterThan(300);
    expect(width / height).toBeGreaterThan(1.5);
  });

  it("refuses an extension it cannot draw with one line and exit 2, before any load", async () => {
    const before = triton.requests.length;
    const result = await run("plot.jpg");
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      'Error: --plot plot.jpg: the file must end in .svg or .png (got ".jpg").',
    ]);
    expect(triton.requests.length).toBe(before);
  });
});

// `loadtest --plot FILE.svg|FILE.png`: latency (p50/p90/p99) and throughput against concurrency, as a
// Vega-Lite spec (pure), rendered headless by Vega to SVG and, for PNG, rasterised by resvg.
import path from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../fs-util.js";
import type { LoadtestResult } from "./run.js";

export type PlotFormat = "svg" | "png";

/** Pure: the format from the file name; any other extension is a usage error (exit 2). */
export function plotFormat(file: string): PlotFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".svg" || ext === ".png") return ext.slice(1) as PlotFormat;
  throw new UserError(`--plot ${file}: the file must end in .svg or .png (got "${ext || "no extension"}").`, {
    code: "loadtest.bad-option",
  });
}

/** Pure: the Vega-Lite spec, two panels sharing the concurrency axis. */
export function plotSpec(result: LoadtestResult): Record<string, unknown> {
  const latency = result.levels.flatMap((l) =>
    (
      [
        ["p50", l.p50Ms],
        ["p90", l.p90Ms],
        ["p99", l.p99Ms],
      ] as const
    ).map(([series, ms]) => ({ concurrency: l.concurrency, series, ms })),
  );
  const throughput = result.levels.map((l) => ({
    concurrency: l.concurrency,
    series: "throughput",
    rps: l.throughputPerSecond,
  }));
  const concurrencyAxis = {
    field: "concurrency",
    type: "quantitative",
    title: "Concurrency (requests in flight)",
    scale: { type: "log", base: 2, nice: false },
    axis: { values: result.levels.map((l) => l.concurrency), format: "d", grid: true },
  };
  const panel = { width: 420, height: 300 };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: `triton-ops loadtest: ${result.model}`,
      subtitle: `${result.levels.length} concurrency levels against ${result.url}`,
      fontSize: 16,
      offset: 14,
    },
    background: "white",
    padding: 16,
    config: {
      font: "DejaVu Sans, Helvetica, Arial, sans-serif",
      axis: { labelFontSize: 12, titleFontSize: 13 },
    },
    hconcat: [
      {
        ...panel,
        title: "Latency",
        data: { values: latency },
        mark: { type: "line", point: true, strokeWidth: 2 },
        encoding: {
          x: concurrencyAxis,
          y: { field: "ms", type: "quantitative", title: "Latency (ms)", scale: { zero: true } },
          color: {
            field: "series",
            type: "nominal",
            title: "Percentile",
            sort: ["p50", "p90", "p99"],
            scale: { range: ["#1f77b4", "#ff7f0e", "#d62728"] },
          },
        },
      },
      {
        ...panel,
        title: "Throughput",
        data: { values: throughput },
        mark: { type: "line", point: { color: "#2ca02c" }, strokeWidth: 2, color: "#2ca02c" },
        encoding: {
          x: concurrencyAxis,
          y: { field: "rps", type: "quantitative", title: "Throughput (requests/s)", scale: { zero: true } },
        },
      },
    ],
  };
}

/** Renders the plot and writes it; returns the bytes written. */
export async function writePlot(
  file: string,
  result: LoadtestResult,
): Promise<{ format: PlotFormat; bytes: number }> {
  const format = plotFormat(file);
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vegaLite.compile(plotSpec(result) as unknown as Parameters<typeof vegaLite.compile>[0]);
  const view = new vega.View(vega.parse(compiled.spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  if (format === "svg") {
    await writeFileAtomic(file, svg);
    return { format, bytes: Buffer.byteLength(svg) };
  }
  const { Resvg } = await import("@resvg/resvg-js");
  // Twice the SVG's size keeps the text sharp in a README.
  const png = new Resvg(svg, {
    fitTo: { mode: "zoom", value: 2 },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  })
    .render()
    .asPng();
  await writeFileAtomic(file, png);
  return { format, bytes: png.length };
}

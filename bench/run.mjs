// `npm run bench`: every benchmark side by side with its reference, a table of ratios, bench/results.json.
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const suites = ["startup", "up", "verify", "doctor", "orphan-scan", "loadtest"].filter(
  (s) => only.length === 0 || only.includes(s),
);

const results = [];
for (const suite of suites) {
  let mod;
  try {
    mod = await import(path.join(here, `${suite}.mjs`));
  } catch (error) {
    if (error.code === "ERR_MODULE_NOT_FOUND") {
      results.push({ name: suite, error: "benchmark not present in this build" });
      continue;
    }
    throw error;
  }
  process.stderr.write(`bench: ${suite}...\n`);
  try {
    results.push(...(await mod.run({})));
  } catch (error) {
    results.push({ name: suite, error: String(error.message ?? error).split("\n")[0] });
  }
}

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  date: new Date().toISOString(),
};
await writeFile(path.join(here, "results.json"), `${JSON.stringify({ machine, results }, null, 2)}\n`);

const rows = results.map((r) =>
  r.error
    ? [r.name, "-", "-", "-", "-", `error: ${r.error}`]
    : [
        r.name,
        `${r.subjectMs} ms ±${r.subjectSpreadPct}%`,
        `${r.referenceMs} ms ±${r.referenceSpreadPct}%`,
        `${r.ratio}x`,
        `<= ${r.target}x`,
        `${r.ok ? "ok" : "MISSED"}${r.peakMb !== undefined ? `, peak ${r.peakMb} MB` : ""}${r.note ? `, ${r.note}` : ""}`,
      ],
);
const header = ["benchmark", "subject (median)", "reference (median)", "ratio", "target", "result"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
console.log(line(header));
for (const row of rows) console.log(line(row));
console.log(
  `\nmachine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGb} GiB, node ${machine.node}`,
);
process.exitCode = results.some((r) => r.error || !r.ok) ? 1 : 0;

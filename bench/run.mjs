// `npm run bench`: every benchmark side by side with its reference, on this Node and on the active LTS
// (scripts/lib/node-lts.sh, installed from the npm registry), as one table of ratios; bench/results.json.
// `node bench/run.mjs [SUITE...]` picks suites; `--this-node` skips the second Node.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const childOut = args.includes("--child-out") ? args[args.indexOf("--child-out") + 1] : undefined;
const thisNodeOnly = args.includes("--this-node") || childOut !== undefined;
const only = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--child-out");
const suites = ["startup", "up", "verify", "doctor", "orphan-scan", "loadtest", "models"].filter(
  (s) => only.length === 0 || only.includes(s),
);

async function runSuites() {
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
    process.stderr.write(`bench (node ${process.version}): ${suite}...\n`);
    try {
      results.push(...(await mod.run({})));
    } catch (error) {
      // The whole message into results.json (a setup step's failure is explained in its tail); the table
      // shows its first line.
      results.push({ name: suite, error: String(error.message ?? error) });
    }
  }
  return { node: process.version, results };
}

const mine = await runSuites();
if (childOut) {
  await writeFile(childOut, JSON.stringify(mine));
  process.exit(0);
}

const runs = [mine];
if (!thisNodeOnly) {
  const bin = execFileSync("bash", ["-c", `. "${here}/../scripts/lib/node-lts.sh" && node_lts_bin`], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), "bench-")), "lts.json");
  const child = spawnSync(
    path.join(bin, "node"),
    [fileURLToPath(import.meta.url), ...only, "--child-out", out],
    {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` },
    },
  );
  if (child.status !== 0) throw new Error(`bench on the LTS Node exited ${child.status}`);
  runs.push(JSON.parse(readFileSync(out, "utf8")));
}

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  nodes: runs.map((r) => r.node),
  platform: `${os.platform()} ${os.release()}`,
  date: new Date().toISOString(),
};
const resultsFile = path.join(here, "results.json");
await writeFile(resultsFile, `${JSON.stringify({ machine, runs }, null, 2)}\n`);
// Written as the repository's formatter wants it, so a fresh run never fails the lint.
spawnSync(path.join(here, "..", "node_modules", ".bin", "biome"), ["format", "--write", resultsFile], {
  stdio: "ignore",
});

const cell = (r) =>
  !r
    ? "-"
    : r.error
      ? `error: ${r.error.split("\n")[0]}`
      : `${r.ratio}x (${r.subjectMs} ±${r.subjectSpreadPct}% vs ${r.referenceMs} ±${r.referenceSpreadPct}% ms)` +
        `${r.ok ? "" : " MISSED"}${r.peakMb !== undefined ? `, peak ${r.peakMb} MB` : ""}`;
const names = [...new Set(runs.flatMap((run) => run.results.map((r) => r.name)))];
const header = ["benchmark", "target", ...runs.map((run) => `node ${run.node}`)];
const rows = names.map((name) => {
  const per = runs.map((run) => run.results.find((r) => r.name === name));
  const target = per.find((r) => r?.target !== undefined)?.target;
  return [name, target === undefined ? "-" : `<= ${target}x`, ...per.map(cell)];
});
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
console.log(line(header));
for (const row of rows) console.log(line(row));
console.log(`\nmachine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGb} GiB`);
const notes = runs.flatMap((run) =>
  run.results.filter((r) => r.note).map((r) => `${r.name} (${run.node}): ${r.note}`),
);
for (const n of notes) console.log(`note: ${n}`);
process.exitCode = runs.some((run) => run.results.some((r) => r.error || !r.ok)) ? 1 : 0;

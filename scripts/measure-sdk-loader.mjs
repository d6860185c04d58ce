// How the AWS SDK loader in src/aws/sdk.ts pays on this Node: one fresh process per load of the nine
// clients an orphan scan needs, three ways, interleaved so a busy machine slows each alike:
//   require-cache    the loader as shipped (require() plus the V8 code cache, cache already filled)
//   require-nocache  the same with TRITON_OPS_NO_COMPILE_CACHE=1 (require() and a plain compile)
//   import           await import() of each package (ESM over CommonJS: cjs-module-lexer scans them)
// Prints the median wall and CPU (user+system) milliseconds of each. Needs `npm run build` first.
// Usage: node scripts/measure-sdk-loader.mjs [reps]
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const loader = path.join(root, "dist", "aws", "sdk.js");
const reps = Number(process.argv[2] ?? 7);
const clients = ["ec2", "eks", "iam", "ecr", "kms", "s3", "logs", "elb", "elbv2"];
const packages = [
  "client-ec2",
  "client-eks",
  "client-iam",
  "client-ecr",
  "client-kms",
  "client-s3",
  "client-cloudwatch-logs",
  "client-elastic-load-balancing",
  "client-elastic-load-balancing-v2",
].map((p) => `@aws-sdk/${p}`);
const timed = (body) =>
  `const t = performance.now(); const c = process.cpuUsage(); ${body} const u = process.cpuUsage(c); ` +
  "console.log(JSON.stringify({ wall: performance.now() - t, cpu: (u.user + u.system) / 1000 }));";
const source = {
  require: timed(
    `const { sdk } = await import(${JSON.stringify(loader)}); for (const n of ${JSON.stringify(clients)}) sdk[n]();`,
  ),
  import: timed(`for (const p of ${JSON.stringify(packages)}) await import(p);`),
};
const cache = mkdtempSync(path.join(os.tmpdir(), "sdk-loader-"));
const run = (mode) => {
  const env = { ...process.env, XDG_CACHE_HOME: cache };
  if (mode === "require-nocache") env.TRITON_OPS_NO_COMPILE_CACHE = "1";
  const out = execFileSync(
    process.execPath,
    ["--no-warnings", "--input-type=module", "-e", mode === "import" ? source.import : source.require],
    { env, encoding: "utf8", cwd: root },
  );
  return JSON.parse(out.trim().split("\n").pop());
};
try {
  run("require-cache"); // fills the cache
  const results = { "require-cache": [], "require-nocache": [], import: [] };
  for (let i = 0; i < reps; i++) for (const mode of Object.keys(results)) results[mode].push(run(mode));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`node ${process.version}, ${os.cpus().length} cores, ${reps} reps, median ms`);
  for (const [mode, rs] of Object.entries(results)) {
    const wall = median(rs.map((r) => r.wall));
    const cpu = median(rs.map((r) => r.cpu));
    console.log(`${mode.padEnd(16)} wall ${wall.toFixed(0).padStart(6)}  cpu ${cpu.toFixed(0).padStart(6)}`);
  }
} finally {
  rmSync(cache, { recursive: true, force: true });
}

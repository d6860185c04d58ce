// The CLI that bin/triton-ops.js runs: dist/ (tsc's output) bundled by esbuild into bundle/, split at every
// dynamic import() so a command still loads only what it uses.
//
// Why: Node's ES module loader pays per module, and a command's config load alone pulled in 95 of zod's
// modules and 72 of yaml's (about 150 ms on Node 20, 110 ms on Node 26, before any work). One chunk per
// lazily loaded piece keeps that to a handful of files. Measured in bench/ (startup, doctor, orphan-scan).
//
// @kubernetes/client-node is bundled too: it is ES modules, about a thousand files, and Node 20 compiles
// ES modules without a cache; bundled, doctor on the benchmark's cluster took 1.8 s instead of 2.4 s.
//
// Left outside the bundle: what src/aws/sdk.ts loads with require() and its own code cache (the AWS SDK),
// what is loaded with createRequire (chalk), and native or very large packages loaded only by the commands
// that draw charts or prompt. bundle/ sits beside dist/, one level under the package root, which is
// what src/paths.ts and src/version.ts count on.
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "bundle");

const external = [
  "@aws-sdk/*",
  "@smithy/*",
  "@inquirer/prompts",
  "@resvg/resvg-js",
  "vega",
  "vega-lite",
  "chalk",
];

// commander requires node:child_process at load, for executable subcommands, which this CLI has none of.
// On Node 26 that built-in costs 5 ms of a 50 ms `--help` (2.8 ms on Node 20): commander gets a stand-in
// that loads it on the first spawn() instead, the one function commander calls on it (14.x, command.js).
const lazyChildProcessForCommander = {
  name: "lazy-child-process-for-commander",
  setup(builder) {
    const commanderDir = `${path.sep}node_modules${path.sep}commander${path.sep}`;
    builder.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(commanderDir)
        ? { path: "commander-child-process", namespace: "lazy" }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({
      contents: 'module.exports = { spawn: (...args) => require("node:child_process").spawn(...args) };',
      loader: "js",
    }));
  },
};

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ["dist/cli.js", "dist/signals.js", "dist/node-support.js", "dist/paths.js"].map((e) =>
    path.join(root, e),
  ),
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  sourcemap: true,
  // commander and the other CommonJS packages call require() for Node's own modules.
  banner: {
    js: 'import { createRequire as __tritonOpsRequire } from "node:module"; const require = __tritonOpsRequire(import.meta.url);',
  },
  chunkNames: "[name]-[hash]",
  logLevel: "warning",
  plugins: [lazyChildProcessForCommander],
});

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
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

// The build's id, which src/config/cache.ts keys its cache by: a digest of what the bundle is made of (dist/
// and the locked package versions), so a changed schema or zod never answers from an older build's cache.
const buildDigest = createHash("sha256");
for (const entry of readdirSync(path.join(root, "dist"), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith(".js"))
  .map((e) => path.join(e.parentPath, e.name))
  .sort()) {
  buildDigest
    .update(`${path.relative(root, entry)}\0`)
    .update(readFileSync(entry))
    .update("\0");
}
buildDigest.update(readFileSync(path.join(root, "package-lock.json")));
const buildId = buildDigest.digest("hex").slice(0, 32);

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
  define: { __TRITON_OPS_BUILD__: JSON.stringify(buildId) },
  logLevel: "warning",
  plugins: [lazyChildProcessForCommander],
});

// The AWS SDK clients, one CommonJS file per client in bundle/aws-sdk/, holding only what
// src/aws/sdk-surface/<client>.ts names; src/aws/sdk.ts loads these. A whole client package defines every
// operation's schema when loaded: EC2 alone is a 2 MB file with about 750 operations, and the nine clients
// an orphan scan needs took about 400 ms of Node 20's CPU to load. The packages the clients share
// (@smithy/*, @aws-sdk/core, the credential chain) stay outside, loaded once from node_modules.
//
// The SDK's schema files declare each shape as an array with computed keys ({ [_xN]: _m }), which esbuild
// must keep, since a computed key could run code. Each of those keys names a string constant of the same
// file, so the plugin below writes the string in its place, and esbuild can then drop the shapes no listed
// operation reaches. test/orphans/sdk-surface.integration.test.ts holds every listed operation's schema, thunks
// resolved, equal to the whole package's.
const schemaFile = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
const inlineSchemaKeys = {
  name: "inline-schema-keys",
  setup(builder) {
    builder.onLoad({ filter: schemaFile }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const strings = new Map();
      for (const m of source.matchAll(/^const (_[A-Za-z0-9_$]+) = ("[^"\\\n]*");$/gm))
        strings.set(m[1], m[2]);
      const contents = source.replace(
        /\{ \[(_[A-Za-z0-9_$]+)\]: |, \[(_[A-Za-z0-9_$]+)\]: |\n(\s*)\[(_[A-Za-z0-9_$]+)\]: /g,
        (all, a, b, indent, c) => {
          const id = a ?? b ?? c;
          const value = strings.get(id);
          if (value === undefined) return all;
          if (a) return `{ ${value}: `;
          if (b) return `, ${value}: `;
          return `\n${indent}${value}: `;
        },
      );
      return { contents, loader: "js" };
    });
  },
};
const clientPackagesOutside = {
  name: "shared-sdk-packages-outside",
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@aws-sdk/client-") || args.kind === "entry-point"
        ? undefined
        : { path: args.path, external: true },
    );
  },
};
const surfaceDir = path.join(root, "dist", "aws", "sdk-surface");
const surfaces = readdirSync(surfaceDir).filter((f) => f.endsWith(".js"));
const sdkOut = path.join(outdir, "aws-sdk");
const { outputFiles } = await build({
  absWorkingDir: root,
  entryPoints: surfaces.map((f) => path.join(surfaceDir, f)),
  outdir: sdkOut,
  outExtension: { ".js": ".cjs" },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  mainFields: ["module", "main"],
  // The SDK's error classes keep their own names (the whole package's `class ExpiredTokenException`),
  // which esbuild would otherwise rename where two files declare the same one.
  keepNames: true,
  write: false,
  logLevel: "warning",
  plugins: [clientPackagesOutside, inlineSchemaKeys],
});
// The packages left outside are found from the client package's own directory, as the whole client would
// find them, so a copy npm nested under the client (a version conflict) is the one used.
mkdirSync(sdkOut, { recursive: true });
for (const file of outputFiles) {
  const surface = path.basename(file.path, ".cjs");
  const client = readFileSync(path.join(surfaceDir, `${surface}.js`), "utf8").match(
    /"(@aws-sdk\/client-[a-z0-9-]+)"/,
  )?.[1];
  if (!client) throw new Error(`src/aws/sdk-surface/${surface}.ts names no @aws-sdk/client-* package`);
  const body = file.text.replace(/\brequire\("(?!node:)([^"]+)"\)/g, '__clientRequire("$1")');
  const header = `var __clientRequire = require("node:module").createRequire(require.resolve(${JSON.stringify(client)}));\n`;
  writeFileSync(
    file.path,
    body.replace(/^("use strict";\n)?/, (strict) => strict + header),
  );
}

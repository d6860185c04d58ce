#!/usr/bin/env node
import module from "node:module";
import path from "node:path";
import { isatty } from "node:tty";

const { cacheRoot } = await import("../bundle/paths.js");

// A reader that stops early (`triton-ops ... --json | head`) closes the pipe. Without a listener the next
// write threw an unhandled EPIPE with a stack trace, wherever the command was, even mid-sync. Now the command
// finishes what it started, with its own exit code, and only the output nobody reads is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error?.code !== "EPIPE") throw error;
  });
}

// The CLI runs from bundle/ (scripts/bundle.mjs: dist/ bundled by esbuild, split per lazily loaded part), so a
// command loads a dozen files, not hundreds. Node 22 and later keep compiled code in a cache of their own once
// asked to, before the CLI's modules load: start-up then skips compiling the bundle and (when a command needs
// them) the AWS SDK bundles.
// Node 20 lacks it; src/aws/sdk.ts keeps a code cache for the SDK there. TRITON_OPS_NO_COMPILE_CACHE=1 turns
// both off.
const cache = cacheRoot(process.env);
if (cache && !process.env.TRITON_OPS_NO_COMPILE_CACHE) {
  module.enableCompileCache?.(path.join(cache, `v8-${process.version}`));
}
// Everything else loads after the cache is on, so it is read from the cache too.
const [{ nodeSupportNotice }, { main }, { Interrupts }] = await Promise.all([
  import("../bundle/node-support.js"),
  import("../bundle/cli.js"),
  import("../bundle/signals.js"),
]);

// The AWS SDK warns on every run that its releases after January 2027 need Node 22. This build pins SDK
// releases that still run on Node 20 (package-lock.json), so that warning is replaced by our own line below:
// one that says when the running Node reached its end of life and what to move to, at most once a day.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === "string" ? rest[0] : rest[0]?.type;
  if (type === "NodeVersionSupportWarning" || /NodeVersionSupportWarning/.test(String(warning))) return;
  return emitWarning.call(process, warning, ...rest);
};

const notice = nodeSupportNotice({
  version: process.versions.node,
  argv: process.argv.slice(2),
  env: process.env,
  now: new Date(),
});
if (notice) process.stderr.write(`${notice}\n`);

const interrupts = new Interrupts();
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    // Nothing running that could stop cleanly: leave at once with the documented code.
    if (!interrupts.fire(signal)) process.exit(130);
  });
}

const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  // isatty(0) and not process.stdin.isTTY: the getter builds the stdin stream, about 5 ms of each start-up,
  // for a command that mostly never reads it.
  stdinIsTTY: isatty(0),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  interrupts,
  selfCommand: [process.execPath, new URL(import.meta.url).pathname],
});
process.exitCode = code;

#!/usr/bin/env node
import { main } from "../dist/cli.js";
import { Interrupts } from "../dist/signals.js";

// The AWS SDK warns on every run that its releases after January 2027 need Node 22; this build pins
// a version that supports Node 20 (package-lock.json), so the notice is noise for our users.
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === "string" ? rest[0] : rest[0]?.type;
  if (type === "NodeVersionSupportWarning" || /NodeVersionSupportWarning/.test(String(warning))) return;
  return emitWarning.call(process, warning, ...rest);
};

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
  stdinIsTTY: Boolean(process.stdin.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
  interrupts,
  selfCommand: [process.execPath, new URL(import.meta.url).pathname],
});
process.exitCode = code;

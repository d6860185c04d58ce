#!/usr/bin/env node
import { main } from "../dist/cli.js";
import { Interrupts } from "../dist/signals.js";

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

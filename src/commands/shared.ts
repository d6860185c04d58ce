import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { isCi } from "../io/env.js";
import type { Io } from "../io/io.js";
import { TerminalIo } from "../io/terminal.js";

// Commands keep importing these from here; they live in config/ so that lower layers can use them.
export { type GlobalOptions, globalOptions, loadProjectConfig } from "../config/project.js";

export { isCi } from "../io/env.js";

export function createIo(
  ctx: CliContext,
  options: { json?: boolean; verbose?: boolean; color?: boolean },
): Io {
  const json = options.json === true;
  const ci = isCi(ctx.env);
  const color =
    options.color !== false &&
    !("NO_COLOR" in ctx.env && ctx.env.NO_COLOR !== "") &&
    ctx.stderrIsTTY &&
    !json;
  return new TerminalIo({
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    json,
    verbose: options.verbose === true,
    color,
    interactive: (ctx.stdinIsTTY && ctx.stderrIsTTY && !ci && !json) || ctx.prompter !== undefined,
    live: ctx.stderrIsTTY && !ci && !json,
    ...(ctx.prompter ? { prompter: ctx.prompter } : {}),
  });
}

type WithExitCode = Command & { exitCodeOverride?: number };

/** Commands report a non-zero result (findings, failed checks) this way; they never call process.exit. */
export function setExitCode(command: Command, code: number): void {
  let root: Command = command;
  while (root.parent) root = root.parent;
  (root as WithExitCode).exitCodeOverride = code;
}

export function exitCodeOf(program: Command): number {
  return (program as WithExitCode).exitCodeOverride ?? 0;
}

/** `--budget USD`: a positive number of dollars a month, else a usage error naming the flag. */
export function parseBudget(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const usd = Number(value.replace(/^\$/, ""));
  if (!Number.isFinite(usd) || usd <= 0) {
    throw new UserError(`--budget must be a positive number of US dollars a month (got "${value}").`, {
      code: "flag.budget",
      suggestion: "For example --budget 1500.",
    });
  }
  return usd;
}

import type { Command } from "commander";
import type { LoadedConfig } from "../config/load.js";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import type { Io } from "../io/io.js";
import { TerminalIo } from "../io/terminal.js";

/** Options every command inherits from the root program. */
export interface GlobalOptions {
  config?: string;
  sandbox?: boolean;
  region?: string;
  env?: string;
  verbose?: boolean;
  color?: boolean;
}

export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals() as GlobalOptions;
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CI) && env.CI !== "false" && env.CI !== "0";
}

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

/** The project's configuration with the command line's global flags applied, warnings printed once. */
export async function loadProjectConfig(ctx: CliContext, command: Command, io: Io): Promise<LoadedConfig> {
  const g = globalOptions(command);
  // Loaded here, not at the top: zod and yaml would add ~80 ms to every `--help`.
  const { loadConfig } = await import("../config/load.js");
  const loaded = await loadConfig({
    cwd: ctx.cwd,
    env: ctx.env,
    ...(g.config ? { file: g.config } : {}),
    overrides: {
      ...(g.region ? { region: g.region } : {}),
      ...(g.env ? { environment: g.env } : {}),
      ...(g.sandbox ? { sandbox: true } : {}),
    },
  });
  for (const warning of loaded.warnings) io.warn(warning);
  return loaded;
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

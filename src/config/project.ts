import type { Command } from "commander";
import type { CliContext } from "../context.js";
import type { Io } from "../io/io.js";
import type { LoadedConfig } from "./load.js";

// Below commands/ so that runtime.ts and targets.ts, which commands and use cases build on, can load the
// project's configuration without importing a command module.

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

/** The project's configuration with the command line's global flags applied, warnings printed once. */
export async function loadProjectConfig(ctx: CliContext, command: Command, io: Io): Promise<LoadedConfig> {
  const g = globalOptions(command);
  // Loaded here, not at the top: zod and yaml would add ~80 ms to every `--help`.
  const { loadConfig } = await import("./load.js");
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

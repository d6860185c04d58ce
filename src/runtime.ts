import path from "node:path";
import type { Command } from "commander";
import type { AwsContext } from "./aws/clients.js";
import type { LoadedConfig } from "./config/load.js";
import { loadProjectConfig } from "./config/project.js";
import type { Config } from "./config/schema.js";
import type { CliContext } from "./context.js";
import type { Io } from "./io/io.js";
import { sandboxEnv, startSandbox } from "./sandbox/sandbox.js";

/** What a command that works on the project needs, resolved once. */
export interface Runtime {
  ctx: CliContext;
  io: Io;
  config: Readonly<Config>;
  configFile: string | undefined;
  /** <project>/.triton-ops: shared by all environments (the sandbox lives here). */
  workRoot: string;
  /** <workRoot>/<environment>: Terraform working dirs, state, logs. */
  envDir: string;
  aws: AwsContext;
  /** Environment for child processes (Terraform, kubectl): the sandbox overlay when on the sandbox. */
  env: NodeJS.ProcessEnv;
}

export async function createRuntime(ctx: CliContext, command: Command, io: Io): Promise<Runtime> {
  return runtimeFromConfig(ctx, io, await loadProjectConfig(ctx, command, io));
}

/**
 * The Runtime over a config the command already loaded: a command that must look at the config before it
 * knows it works on a project (verify, doctor, kubeconfig) loads it once, and its warnings print once.
 */
export async function runtimeFromConfig(ctx: CliContext, io: Io, loaded: LoadedConfig): Promise<Runtime> {
  const { config, file, baseDir } = loaded;
  const workRoot = path.resolve(baseDir, config.workDir);
  let env = ctx.env;
  if (config.sandbox) {
    const { state, started } = await startSandbox({ workRoot, env: ctx.env });
    if (started) io.info(`Started the local AWS sandbox (moto) at ${state.endpoint}, pid ${state.pid}.`);
    else io.debug(`Using the local AWS sandbox at ${state.endpoint}.`);
    env = sandboxEnv(ctx.env, state.endpoint, config.region);
  }
  return {
    ctx,
    io,
    config,
    configFile: file,
    workRoot,
    envDir: path.join(workRoot, config.environment),
    aws: { region: config.region, env, sandbox: config.sandbox },
    env,
  };
}

import path from "node:path";
import type { Command } from "commander";
import type { AwsContext } from "./aws/clients.js";
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
  const { config, file, baseDir } = await loadProjectConfig(ctx, command, io);
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

import path from "node:path";
import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions } from "./shared.js";

async function sandboxWorkRoot(ctx: CliContext, command: Command): Promise<{ workRoot: string }> {
  const { loadConfig } = await import("../config/load.js");
  const g = globalOptions(command);
  const { config, baseDir } = await loadConfig({
    cwd: ctx.cwd,
    env: ctx.env,
    ...(g.config ? { file: g.config } : {}),
  });
  return { workRoot: path.resolve(baseDir, config.workDir) };
}

export function sandboxCommand(ctx: CliContext): Command {
  const sandbox = new Command("sandbox").description(
    "Run the local AWS emulator (moto server) so everything works offline: for learning, demos and tests.",
  );
  sandbox
    .command("start")
    .description("start the emulator on a free loopback port (reuses a running one)")
    .option("--json", "print the sandbox as JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: options.json });
      const { startSandbox } = await import("../sandbox/sandbox.js");
      const { workRoot } = await sandboxWorkRoot(ctx, command);
      const { state, started } = await startSandbox({ workRoot, env: ctx.env });
      io.result({ ...state, started }, () =>
        [
          `${started ? "Started" : "Already running:"} AWS sandbox at ${state.endpoint} (pid ${state.pid}).`,
          "Use --sandbox (or `sandbox: true` in triton-ops.yaml) to point commands at it.",
          "EKS access entries and add-ons are off there: the emulator does not implement those APIs.",
        ].join("\n"),
      );
    });
  sandbox
    .command("stop")
    .description("stop the emulator recorded in the work dir (all its resources are forgotten)")
    .action(async (_options: unknown, command: Command) => {
      const io = createIo(ctx, globalOptions(command));
      const { stopSandbox } = await import("../sandbox/sandbox.js");
      const { workRoot } = await sandboxWorkRoot(ctx, command);
      const state = await stopSandbox(workRoot);
      io.result({ stopped: Boolean(state) }, () =>
        state ? `Stopped the AWS sandbox (pid ${state.pid}).` : "No sandbox was running.",
      );
    });
  sandbox
    .command("status")
    .description("say whether the emulator is running and where")
    .option("--json", "print the status as JSON")
    .action(async (options: { json?: boolean }, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: options.json });
      const { runningSandbox } = await import("../sandbox/sandbox.js");
      const { workRoot } = await sandboxWorkRoot(ctx, command);
      const state = await runningSandbox(workRoot);
      io.result({ running: Boolean(state), ...(state ?? {}) }, () =>
        state ? `Running at ${state.endpoint} (pid ${state.pid}, since ${state.startedAt}).` : "Not running.",
      );
    });
  return sandbox;
}

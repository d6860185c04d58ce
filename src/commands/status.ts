import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions } from "./shared.js";

export function statusCommand(ctx: CliContext): Command {
  return new Command("status")
    .description("one table: each stage, applied or not, resource count, last applied, key outputs")
    .option("--refresh", "also plan each applied stage and report drift")
    .option("--json", "print the status as JSON")
    .action(async (flags: { refresh?: boolean; json?: boolean }, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const [{ createRuntime }, { runStatus, formatStatus }] = await Promise.all([
        import("../runtime.js"),
        import("../engine/status.js"),
      ]);
      const rt = await createRuntime(ctx, command, io);
      const result = await runStatus(rt, { refresh: flags.refresh === true });
      io.result(result, () => formatStatus(result, io));
    });
}

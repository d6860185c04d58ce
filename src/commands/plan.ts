import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions, setExitCode } from "./shared.js";

export function planCommand(ctx: CliContext): Command {
  return new Command("plan")
    .description("show what `up` would change, stage by stage, and which planned names already exist in AWS")
    .option("-s, --stage <names>", "stage(s) to plan, comma-separated, or all", "all")
    .option("--json", "print the plans as JSON")
    .action(async (flags: { stage?: string; json?: boolean }, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const [{ parseStageSelection }, { createRuntime }, { runPlan, formatPlanResult }] = await Promise.all([
        import("../engine/schedule.js"),
        import("../runtime.js"),
        import("../engine/plan.js"),
      ]);
      const stages = parseStageSelection(flags.stage);
      const rt = await createRuntime(ctx, command, io);
      const result = await runPlan(rt, stages);
      io.result(result, () => formatPlanResult(result, io));
      // A collision means the next `up` would fail: report it like a finding.
      if (result.collisions > 0) setExitCode(command, 1);
    });
}

import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions, parseBudget, setExitCode } from "./shared.js";

export function planCommand(ctx: CliContext): Command {
  return new Command("plan")
    .description("show what `up` would change, stage by stage, and which planned names already exist in AWS")
    .option("-s, --stage <names>", "stage(s) to plan, comma-separated, or all", "all")
    .option("--json", "print the plans as JSON")
    .option("--budget <usd>", "refuse (exit 1) when the estimated monthly total after apply is above USD")
    .option("--no-cost", "leave out the cost estimate")
    .action(
      async (
        flags: { stage?: string; json?: boolean; budget?: string; cost?: boolean },
        command: Command,
      ) => {
        const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
        const [{ parseStageSelection }, { createRuntime }, { runPlan, formatPlanResult }] = await Promise.all(
          [import("../engine/schedule.js"), import("../runtime.js"), import("../engine/plan.js")],
        );
        const stages = parseStageSelection(flags.stage);
        const budget = parseBudget(flags.budget);
        const rt = await createRuntime(ctx, command, io);
        const result = await runPlan(rt, stages, {
          cost: flags.cost !== false,
          ...(budget !== undefined ? { budget } : {}),
        });
        io.result(result, () => formatPlanResult(result, io));
        // A collision means the next `up` would fail: report it like a finding; so is a plan over budget.
        if (result.collisions > 0) setExitCode(command, 1);
        if (result.cost) {
          const { assertWithinBudget } = await import("../engine/cost.js");
          assertWithinBudget(result.cost);
        }
      },
    );
}

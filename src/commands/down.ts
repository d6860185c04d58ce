import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions, setExitCode } from "./shared.js";

interface DownFlags {
  stage?: string;
  yes?: boolean;
  json?: boolean;
  kubeconfig?: string;
  context?: string;
}

export function downCommand(ctx: CliContext): Command {
  return new Command("down")
    .description(
      "destroy stages in reverse order, removing what Kubernetes left in the VPC and emptying ECR first",
    )
    .option("-s, --stage <names>", "stage(s) to destroy, comma-separated, or all", "all")
    .option("-y, --yes", "destroy without asking (needed when not in a terminal)")
    .option("--kubeconfig <file>", "workloads: kubeconfig of a reachable cluster")
    .option("--context <name>", "workloads: kubeconfig context")
    .option("--json", "print the stage results as JSON")
    .action(async (flags: DownFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const [
        { parseStageSelection },
        { createRuntime },
        { runDown },
        { formatOutcomes },
        { exitCodeFor },
        workloads,
      ] = await Promise.all([
        import("../engine/schedule.js"),
        import("../runtime.js"),
        import("../engine/down.js"),
        import("../engine/render.js"),
        import("../engine/run-stages.js"),
        import("../engine/workloads.js"),
      ]);
      const { beforeDestroy } = await import("../engine/predestroy.js");
      const stages = parseStageSelection(flags.stage);
      const rt = await createRuntime(ctx, command, io);
      const result = await runDown(rt, {
        stages,
        yes: flags.yes === true,
        workloads: workloads.workloadsDriver,
        beforeDestroy: beforeDestroy(rt),
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context ? { context: flags.context } : {}),
      });
      io.result(result, () => formatOutcomes(result.stages, io));
      setExitCode(command, exitCodeFor(result.stages));
    });
}

import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions, setExitCode } from "./shared.js";

interface UpFlags {
  stage?: string;
  yes?: boolean;
  json?: boolean;
  skipPreflight?: boolean;
  force?: boolean;
  kubeconfig?: string;
  context?: string;
}

export function upCommand(ctx: CliContext): Command {
  return new Command("up")
    .description(
      "plan and apply stages in dependency order: vpc -> iam, ecr -> eks -> gpu-nodes -> workloads",
    )
    .option(
      "-s, --stage <names>",
      "stage(s) to apply: vpc, iam, ecr, eks, gpu-nodes, workloads, comma-separated, or all",
      "all",
    )
    .option("-y, --yes", "apply without asking (needed when not in a terminal)")
    .option("--skip-preflight", "do not run `doctor --preflight` before the first stage")
    .option("--force", "workloads: deploy Triton even when no node advertises nvidia.com/gpu")
    .option("--kubeconfig <file>", "workloads: kubeconfig of a reachable cluster")
    .option("--context <name>", "workloads: kubeconfig context")
    .option("--json", "print the stage results as JSON")
    .action(async (flags: UpFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const [
        { parseStageSelection },
        { createRuntime },
        { runUp },
        { formatOutcomes },
        { exitCodeFor },
        workloads,
      ] = await Promise.all([
        import("../engine/schedule.js"),
        import("../runtime.js"),
        import("../engine/up.js"),
        import("../engine/render.js"),
        import("../engine/run-stages.js"),
        import("../engine/workloads.js"),
      ]);
      const stages = parseStageSelection(flags.stage);
      const rt = await createRuntime(ctx, command, io);
      const result = await runUp(rt, {
        stages,
        yes: flags.yes === true,
        workloads: workloads.workloadsDriver,
        ...(flags.force ? { force: true } : {}),
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context ? { context: flags.context } : {}),
      });
      io.result(result, () => formatOutcomes(result.stages, io));
      setExitCode(command, exitCodeFor(result.stages));
    });
}

import { Command } from "commander";
import type { CliContext } from "../context.js";
import type { Runtime } from "../runtime.js";
import type { TerraformRunner } from "../terraform/runner.js";
import { createIo, globalOptions, parseBudget, setExitCode } from "./shared.js";

interface UpFlags {
  stage?: string;
  yes?: boolean;
  json?: boolean;
  skipPreflight?: boolean;
  force?: boolean;
  kubeconfig?: string;
  context?: string;
  budget?: string;
  cost?: boolean;
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
    .option("--budget <usd>", "refuse (exit 1) what would take the estimated monthly total above USD")
    .option("--no-cost", "leave out the cost estimate")
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
      const budget = parseBudget(flags.budget);
      const rt = await createRuntime(ctx, command, io);
      const result = await runUp(rt, {
        cost: flags.cost !== false,
        ...(budget !== undefined ? { budget } : {}),
        stages,
        yes: flags.yes === true,
        workloads: workloads.workloadsDriver,
        ...(flags.force ? { force: true } : {}),
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context ? { context: flags.context } : {}),
        ...(flags.skipPreflight ? {} : { preflight: (tf) => preflightBeforeUp(rt, tf) }),
      });
      io.result(result, () => formatOutcomes(result.stages, io));
      setExitCode(command, exitCodeFor(result.stages));
    });
}

/** `doctor --preflight` before the first stage: warnings are shown, a failed check stops `up`. */
async function preflightBeforeUp(rt: Runtime, tf: TerraformRunner): Promise<void> {
  const [{ runPreflight, formatPreflight }, { AbortError }] = await Promise.all([
    import("../doctor/preflight.js"),
    import("../errors.js"),
  ]);
  const progress = rt.io.progress("preflight");
  progress.update("checking tools, credentials, quotas and names");
  const result = await runPreflight(rt, { tf });
  const failed = result.checks.filter((c) => c.status === "fail");
  const warned = result.checks.filter((c) => c.status === "warn");
  progress.done(
    `preflight: ${result.checks.length - failed.length - warned.length} passed, ${warned.length} warning(s), ${failed.length} failed`,
    failed.length > 0 ? "fail" : "success",
  );
  if (failed.length > 0 || warned.length > 0) {
    const shown = { checks: [...failed, ...warned] };
    const text = formatPreflight(shown, rt.io.style).split("\n").slice(0, -1).join("\n");
    if (failed.length > 0) rt.io.error(text);
    else rt.io.warn(text);
  }
  if (failed.length > 0) {
    throw new AbortError(`Preflight failed: ${failed.map((c) => c.id).join(", ")}. Nothing was changed.`, {
      code: "preflight.failed",
      suggestion:
        "Fix the failed checks above (see `triton-ops doctor --preflight`), or pass --skip-preflight.",
    });
  }
}

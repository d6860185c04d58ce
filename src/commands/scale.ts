import { Command } from "commander";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { createIo, globalOptions, setExitCode } from "./shared.js";

interface ScaleFlags {
  gpuMin?: string;
  gpuMax?: string;
  gpuDesired?: string;
  replicas?: string;
  maxReplicas?: string;
  yes?: boolean;
  json?: boolean;
  kubeconfig?: string;
  context?: string;
}

/** A count flag: a whole number, 0 or more; anything else is one line and exit 2. */
function countFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^-\d+$/.test(text)) {
    throw new UserError(`--${name} must not be negative (got ${text}).`, { code: "scale.bad-bounds" });
  }
  if (!/^\d+$/.test(text)) {
    throw new UserError(`--${name} must be a whole number (got "${value}").`, { code: "usage.number" });
  }
  return Number(text);
}

export function scaleCommand(ctx: CliContext): Command {
  return new Command("scale")
    .description(
      "change the GPU pool's bounds or Triton's replicas: writes triton-ops.yaml, applies only that stage",
    )
    .option("--gpu-min <n>", "gpu.minSize: GPU nodes the pool never goes below (0 scales from zero)")
    .option("--gpu-max <n>", "gpu.maxSize: GPU nodes cluster-autoscaler may add up to (quota-checked)")
    .option("--gpu-desired <n>", "gpu.desiredSize: GPU nodes a new node group starts with")
    .option("--replicas <n>", "triton.replicas: Triton pods (the HPA's minimum when one is set)")
    .option("--max-replicas <n>", "triton.hpaMaxReplicas: the HPA's maximum (sets up the HPA)")
    .option("-y, --yes", "apply without asking (needed when not in a terminal)")
    .option("--kubeconfig <file>", "workloads: kubeconfig of a reachable cluster")
    .option("--context <name>", "workloads: kubeconfig context")
    .option("--json", "print the changes and the apply result as JSON")
    .action(async (flags: ScaleFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const request = {
        gpuMin: countFlag("gpu-min", flags.gpuMin),
        gpuMax: countFlag("gpu-max", flags.gpuMax),
        gpuDesired: countFlag("gpu-desired", flags.gpuDesired),
        replicas: countFlag("replicas", flags.replicas),
        maxReplicas: countFlag("max-replicas", flags.maxReplicas),
      };
      if (Object.values(request).every((v) => v === undefined)) {
        throw new UserError(
          "scale needs at least one of --gpu-min, --gpu-max, --gpu-desired, --replicas, --max-replicas.",
          { code: "usage.scale" },
        );
      }
      const [{ loadProjectConfig }, { runtimeFromConfig }, scale, { formatOutcomes }, run, workloads] =
        await Promise.all([
          import("../config/project.js"),
          import("../runtime.js"),
          import("../engine/scale.js"),
          import("../engine/render.js"),
          import("../engine/run-stages.js"),
          import("../engine/workloads.js"),
        ]);
      const loaded = await loadProjectConfig(ctx, command, io);
      const defined = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined));
      // Bounds are judged on the config alone, before the sandbox starts or anything is read.
      const plan = scale.planScale(loaded.config, defined);
      const rt = await runtimeFromConfig(ctx, io, loaded);
      const result = await scale.runScale(rt, plan, {
        yes: flags.yes === true,
        workloads: workloads.workloadsDriver,
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context ? { context: flags.context } : {}),
      });
      io.result(result, () =>
        [
          scale.formatScaleHeader(result),
          ...(result.apply ? [formatOutcomes(result.apply.stages, io)] : []),
        ].join("\n"),
      );
      if (result.apply) setExitCode(command, run.exitCodeFor(result.apply.stages));
    });
}

import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions, loadProjectConfig, setExitCode } from "./shared.js";

interface LintFlags {
  json?: boolean;
  gpusPerNode?: string;
}

export function modelsCommand(ctx: CliContext): Command {
  const models = new Command("models").description(
    "the model repository: lint it offline, sync it to the model bucket, and load, check and call models in Triton",
  );

  models
    .command("lint")
    .description("check a Triton model repository the way Triton checks it at load time, offline")
    .argument("[dir]", "the model repository", "./models")
    .option("--json", "print the result as JSON")
    .option("--gpus-per-node <n>", "GPUs on each GPU node (default: from the project's gpu.instanceTypes)")
    .action(async (dir: string, flags: LintFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const { UserError } = await import("../errors.js");
      let gpus: { count: number; source: string } | undefined;
      if (flags.gpusPerNode !== undefined) {
        const n = Number(flags.gpusPerNode);
        if (!Number.isInteger(n) || n < 1 || n > 64) {
          throw new UserError(
            `--gpus-per-node ${flags.gpusPerNode} is not a whole number between 1 and 64.`,
            {
              code: "models.bad-gpus-per-node",
            },
          );
        }
        gpus = { count: n, source: "--gpus-per-node" };
      }
      const path = await import("node:path");
      const [{ readRepository }, { lintRepository, formatLint }] = await Promise.all([
        import("../models/repository.js"),
        import("../models/lint.js"),
      ]);
      const snapshot = await readRepository(path.resolve(ctx.cwd, dir));
      if (!gpus) gpus = await projectGpus(ctx, command, io);
      const result = lintRepository(
        snapshot,
        gpus ? { gpusPerNode: gpus.count, gpuSource: gpus.source } : {},
      );
      io.result(result, () => formatLint(result, io.style));
      setExitCode(command, result.ok ? 0 : 1);
    });

  return models;
}

/** GPUs per node from the project's gpu.instanceTypes, when there is a project config; else unknown. */
async function projectGpus(
  ctx: CliContext,
  command: Command,
  io: import("../io/io.js").Io,
): Promise<{ count: number; source: string } | undefined> {
  const loaded = await loadProjectConfig(ctx, command, io).catch(() => undefined);
  if (!loaded?.file) return undefined;
  const { gpusPerNode, GPU_TABLE_DATE } = await import("../models/gpu-count.js");
  const types = loaded.config.gpu.instanceTypes;
  const count = gpusPerNode(types);
  if (count === undefined) {
    io.warn(
      `GPUs per node of ${types.join(", ")} are not in the bundled table (as of ${GPU_TABLE_DATE}); pass --gpus-per-node.`,
    );
    return undefined;
  }
  return { count, source: `gpu.instanceTypes ${types.join(", ")}, table as of ${GPU_TABLE_DATE}` };
}

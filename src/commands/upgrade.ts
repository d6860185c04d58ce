import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions } from "./shared.js";

interface UpgradeFlags {
  to?: string;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  kubeconfig?: string;
  context?: string;
}

export function upgradeCommand(ctx: CliContext): Command {
  return new Command("upgrade")
    .description("upgrade the cluster one Kubernetes minor version: pre-checks, control plane, node groups")
    .option("--to <version>", "target minor version (default: the next one); one minor at a time")
    .option("--dry-run", "show the pre-checks and the steps; change nothing")
    .option("-y, --yes", "upgrade without asking (needed when not in a terminal)")
    .option("--kubeconfig <file>", "kubeconfig for the PodDisruptionBudget and kubelet checks")
    .option("--context <name>", "kubeconfig context")
    .option("--json", "print the pre-checks and steps as JSON")
    .action(async (flags: UpgradeFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const { UserError } = await import("../errors.js");
      // Garbage is refused before anything is read or started.
      if (flags.to !== undefined && !/^\d+\.\d+$/.test(flags.to.trim())) {
        throw new UserError(`--to must be a Kubernetes minor version such as 1.35 (got "${flags.to}").`, {
          code: "upgrade.bad-version",
        });
      }
      const [{ resolveTarget }, { runUpgrade, formatUpgradeResult }] = await Promise.all([
        import("../targets.js"),
        import("../upgrade/run.js"),
      ]);
      const target = await resolveTarget(ctx, command, io, {
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context ? { context: flags.context } : {}),
      });
      if (!target.rt || !target.names.cluster) {
        throw new UserError("upgrade works on a project: there is no triton-ops.yaml here.", {
          code: "upgrade.no-project",
          suggestion: "Run it in the project directory, or pass -c FILE.",
        });
      }
      const result = await runUpgrade(
        {
          aws: target.aws,
          io,
          sandbox: target.rt.config.sandbox,
          cluster: target.names.cluster,
          configFile: target.rt.configFile,
          env: ctx.env,
          kube: () => target.connectKube(),
          kubeUnavailable: target.kubeUnavailable,
        },
        {
          ...(flags.to ? { to: flags.to.trim() } : {}),
          dryRun: flags.dryRun === true,
          yes: flags.yes === true,
        },
      );
      io.result(result, () => formatUpgradeResult(result));
    });
}

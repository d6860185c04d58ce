import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions } from "./shared.js";

interface KubeconfigFlags {
  write?: boolean;
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  json?: boolean;
}

export function kubeconfigCommand(ctx: CliContext): Command {
  return new Command("kubeconfig")
    .description(
      "kubeconfig entry for the cluster, authenticating with `triton-ops token` (prints it unless --write)",
    )
    .option("--write", "merge it into the kubeconfig (KUBECONFIG or ~/.kube/config; other contexts kept)")
    .option("--kubeconfig <file>", "kubeconfig file to write instead")
    .option("--context <name>", "context name (default: the cluster name)")
    .option("--cluster <name>", "EKS cluster, when there is no project config")
    .option("--json", "print the result as JSON")
    .action(async (flags: KubeconfigFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const [{ resolveTarget }, { runKubeconfig }, { stringify }] = await Promise.all([
        import("../targets.js"),
        import("../k8s/kubeconfig.js"),
        import("yaml"),
      ]);
      const target = await resolveTarget(ctx, command, io, flags.cluster ? { cluster: flags.cluster } : {});
      const result = await runKubeconfig(target, {
        write: flags.write === true,
        env: ctx.env,
        cwd: ctx.cwd,
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context ? { context: flags.context } : {}),
        ...(ctx.selfCommand ? { selfCommand: ctx.selfCommand } : {}),
      });
      if (result.written) {
        io.success(
          `Context ${result.context} (cluster ${result.cluster}, ${result.server}) written to ${result.file}, and made current.`,
        );
      } else {
        io.info(
          `Kubeconfig for ${result.cluster} (endpoint and CA from ${result.source === "state" ? "the eks stack's state" : "EKS DescribeCluster"}); --write merges it.`,
        );
      }
      io.result(result, () => (result.written ? "" : stringify(result.kubeconfig)));
    });
}

import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions } from "./shared.js";

interface ForwardFlags {
  port?: string;
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  json?: boolean;
}

export function portForwardCommand(ctx: CliContext): Command {
  return new Command("port-forward")
    .description(
      "forward a local port to triton, grafana or prometheus through the API server (Ctrl-C stops)",
    )
    .argument("<service>", "triton, grafana or prometheus")
    .option("--port <n>", "local port (default: the service's own port; 0 picks a free one)")
    .option("--kubeconfig <file>", "kubeconfig to use")
    .option("--context <name>", "kubeconfig context")
    .option("--cluster <name>", "EKS cluster, when there is no project config")
    .option("--json", "print where it listens as JSON once ready")
    .action(async (name: string, flags: ForwardFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const [{ parseForwardName, parsePort, planForward, startForwarding }, { resolveTarget }] =
        await Promise.all([import("../k8s/port-forward.js"), import("../targets.js")]);
      const which = parseForwardName(name);
      const requested = parsePort(flags.port);
      const target = await resolveTarget(ctx, command, io, {
        needsAws: false,
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context ? { context: flags.context } : {}),
        ...(flags.cluster ? { cluster: flags.cluster } : {}),
      });
      const kube = await target.connectKube();
      const plan = await planForward(kube, which);
      const forwarding = await startForwarding(kube, plan, requested ?? plan.port, (message) =>
        io.warn(`port-forward: ${message}`),
      );
      io.result(
        {
          url: forwarding.url,
          port: forwarding.port,
          namespace: plan.namespace,
          pod: plan.pod,
          remotePort: plan.port,
        },
        () => `Forwarding ${forwarding.url} -> ${plan.namespace}/${plan.pod}:${plan.port}. Ctrl-C stops.`,
      );
      if (plan.passwordNote) io.info(plan.passwordNote);
      await new Promise<void>((resolve) => {
        const off = ctx.interrupts.on(() => {
          off();
          resolve();
        });
      });
      await forwarding.close();
      io.info("port-forward: stopped.");
    });
}

import path from "node:path";
import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions, loadProjectConfig } from "./shared.js";

interface LoadtestFlags {
  model: string;
  url?: string;
  concurrency: string;
  duration: string;
  json?: boolean;
  plot?: string;
  kubeconfig?: string;
  context?: string;
}

export function loadtestCommand(ctx: CliContext): Command {
  return new Command("loadtest")
    .description(
      "closed-loop load on one Triton model at each concurrency: latency, throughput, errors, cost",
    )
    .requiredOption("--model <name>", "model to send inference requests to")
    .option("--url <url>", "Triton's HTTP endpoint (default: a port-forward to the cluster's Triton)")
    .option("--concurrency <list>", "concurrency levels, comma-separated", "1,2,4,8,16")
    .option("--duration <time>", "how long each level runs (e.g. 30s, 2m)", "30s")
    .option("--kubeconfig <file>", "kubeconfig to use for the port-forward")
    .option("--context <name>", "kubeconfig context")
    .option("--json", "print the result as JSON")
    .option("--plot <file>", "also draw latency and throughput against concurrency to FILE.svg or FILE.png")
    .action(async (flags: LoadtestFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const { formatLoadtest, parseConcurrency, parseDuration, runLoadtest } = await import(
        "../loadtest/run.js"
      );
      const concurrency = parseConcurrency(flags.concurrency);
      const durationMs = parseDuration(flags.duration);
      const plot = flags.plot ? await import("../loadtest/plot.js") : undefined;
      // A plot file that cannot be drawn is refused before any load is sent.
      if (plot && flags.plot) plot.plotFormat(flags.plot);
      let instanceType = "g5.xlarge";
      try {
        instanceType =
          (await loadProjectConfig(ctx, command, io)).config.gpu.instanceTypes[0] ?? instanceType;
      } catch {
        io.warn(`loadtest: no project config; costs use ${instanceType}`);
      }
      let url = flags.url;
      let close: (() => Promise<void>) | undefined;
      if (!url) {
        const [{ planForward, startForwarding }, { resolveTarget }] = await Promise.all([
          import("../k8s/port-forward.js"),
          import("../targets.js"),
        ]);
        const target = await resolveTarget(ctx, command, io, {
          needsAws: false,
          ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
          ...(flags.context ? { context: flags.context } : {}),
        });
        const kube = await target.connectKube();
        const forwarding = await startForwarding(kube, await planForward(kube, "triton"), 0, (m) =>
          io.warn(`loadtest: ${m}`),
        );
        url = forwarding.url;
        close = () => forwarding.close();
      }
      // Ctrl-C ends the running level and prints what was measured so far.
      const controller = new AbortController();
      const off = ctx.interrupts.on(() => controller.abort());
      try {
        const result = await runLoadtest({
          model: flags.model,
          url,
          concurrency,
          durationMs,
          instanceType,
          signal: controller.signal,
          onLevel: (l) =>
            io.info(
              `loadtest: concurrency ${l.concurrency}: p50 ${l.p50Ms} ms, ${l.throughputPerSecond} req/s`,
            ),
        });
        if (plot && flags.plot && result.levels.length > 0) {
          const file = path.resolve(ctx.cwd, flags.plot);
          const written = await plot.writePlot(file, result);
          io.info(`loadtest: plot written to ${file} (${written.format}, ${written.bytes} bytes)`);
        }
        io.result(result, () => formatLoadtest(result));
      } finally {
        off();
        await close?.();
      }
    });
}

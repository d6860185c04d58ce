import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions, setExitCode } from "./shared.js";

interface VerifyFlags {
  json?: boolean;
  timeout: string;
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  only?: string;
  infer?: boolean;
}

export function verifyCommand(ctx: CliContext): Command {
  return new Command("verify")
    .description(
      "check the deployment end to end: AWS, cluster, nodes, GPUs, pods, Triton, ECR, VPC, monitoring",
    )
    .option("--timeout <seconds>", "give up on a check after this long", "60")
    .option("--kubeconfig <file>", "kubeconfig to use (default: KUBECONFIG or ~/.kube/config)")
    .option("--context <name>", "kubeconfig context (default: the cluster's, else the current one)")
    .option("--cluster <name>", "EKS cluster, when there is no project config")
    .option("--only <ids>", "run only these checks (comma-separated ids) and what they need")
    .option("--no-infer", "skip triton.infer (one inference per ready model)")
    .option("--json", "print the result as JSON")
    .action(async (flags: VerifyFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const { UserError } = await import("../errors.js");
      const seconds = Number(flags.timeout);
      if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
        throw new UserError(`--timeout ${flags.timeout} is not a number of seconds between 1 and 3600.`, {
          code: "verify.bad-timeout",
        });
      }
      const [{ resolveTarget }, { runVerify, formatVerify, CHECK_IDS }] = await Promise.all([
        import("../targets.js"),
        import("../verify/verify.js"),
      ]);
      const only = flags.only
        ?.split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const unknown = only?.filter((id) => !(CHECK_IDS as readonly string[]).includes(id)) ?? [];
      if (unknown.length > 0) {
        throw new UserError(`Unknown check ${unknown.join(", ")}.`, {
          code: "verify.unknown-check",
          suggestion: `Checks: ${CHECK_IDS.join(", ")}.`,
        });
      }
      const timeoutMs = seconds * 1000;
      const target = await resolveTarget(ctx, command, io, {
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context ? { context: flags.context } : {}),
        ...(flags.cluster ? { cluster: flags.cluster } : {}),
        requestTimeoutMs: timeoutMs,
      });
      const result = await runVerify(target, {
        timeoutMs,
        ...(only ? { only } : {}),
        ...(flags.infer === false ? { infer: false } : {}),
      });
      io.result(result, () => formatVerify(result, io));
      setExitCode(command, result.ok ? 0 : 1);
    });
}

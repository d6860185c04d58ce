import { Command } from "commander";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { createIo, globalOptions, setExitCode } from "./shared.js";

interface DoctorFlags {
  json?: boolean;
  namespace?: string;
  since?: string;
  redact?: boolean;
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  preflight?: boolean;
}

export function doctorCommand(ctx: CliContext): Command {
  return new Command("doctor")
    .description(
      "diagnose nodes, pods, GPUs, image pulls and Terraform/AWS drift, each with evidence and a fix; --preflight checks before up",
    )
    .option("--json", 'print {"findings": [...]} as JSON')
    .option("-n, --namespace <ns>", "only pods in this namespace (nodes and AWS are still checked)")
    .option("--since <duration>", "only events newer than this (30m, 2h, 1d)")
    .option("--redact", "replace 12-digit AWS account ids in the output")
    .option("--kubeconfig <file>", "kubeconfig to use (default: KUBECONFIG or ~/.kube/config)")
    .option("--context <name>", "kubeconfig context")
    .option("--cluster <name>", "EKS cluster name, when there is no project config")
    .option("--preflight", "check what `up` needs (tools, credentials, quotas, name collisions) instead")
    .action(async (flags: DoctorFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      let sinceMs: number | undefined;
      const { parseDuration } = await import("../doctor/parse.js");
      if (flags.since !== undefined) {
        sinceMs = parseDuration(flags.since);
        if (sinceMs === undefined) {
          throw new UserError(`--since ${flags.since} is not a duration.`, {
            code: "usage.bad-duration",
            suggestion: "Use a number with s, m, h or d: --since 30m, --since 2h.",
          });
        }
      }
      if (flags.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(flags.namespace)) {
        throw new UserError(`--namespace ${flags.namespace} is not a valid namespace name.`, {
          code: "usage.bad-namespace",
          suggestion: "Namespaces are lower-case letters, digits and hyphens (at most 63).",
        });
      }
      if (flags.preflight) {
        const [{ createRuntime }, { runPreflight, formatPreflight }] = await Promise.all([
          import("../runtime.js"),
          import("../doctor/preflight.js"),
        ]);
        const rt = await createRuntime(ctx, command, io);
        const result = await runPreflight(rt, {});
        const shown = flags.redact ? (await import("../doctor/run.js")).redactAccountIds(result) : result;
        io.result(shown, () => formatPreflight(shown, io.style));
        setExitCode(command, result.checks.some((c) => c.status === "fail") ? 1 : 0);
        return;
      }
      const [{ resolveTarget }, { runDoctor }, { formatFindings }] = await Promise.all([
        import("../targets.js"),
        import("../doctor/run.js"),
        import("../doctor/format.js"),
      ]);
      const target = await resolveTarget(ctx, command, io, {
        ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.context ? { context: flags.context } : {}),
        ...(flags.cluster ? { cluster: flags.cluster } : {}),
      });
      const result = await runDoctor(
        target,
        {
          ...(flags.namespace ? { namespace: flags.namespace } : {}),
          ...(sinceMs ? { sinceMs } : {}),
          ...(flags.redact ? { redact: true } : {}),
        },
        { io },
      );
      io.result({ findings: result.findings }, () => formatFindings(result, io.style));
      setExitCode(command, result.findings.some((f) => f.severity === "error") ? 1 : 0);
    });
}

import type { StageName } from "../config/schema.js";
import { UserError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { isTerraformStage, type ProjectOutputs, type TerraformStage } from "../stages.js";
import { type ChangeKind, operationCount, type PlannedChange } from "../terraform/plan.js";
import { formatElapsed } from "../terraform/progress.js";
import { outputsOf, readAllStates } from "../terraform/state.js";
import { createTerraformRunner, syncStacks } from "../terraform/workspace.js";
import { settleEarlierRuns } from "./earlier-runs.js";
import { createMutex, runStageGraph, type StageOutcome } from "./run-stages.js";
import { dependentsLeft } from "./schedule.js";
import type { WorkloadsDriver } from "./up.js";
import { reportFailures } from "./up.js";

export interface DownOptions {
  stages: StageName[];
  yes: boolean;
  kubeconfig?: string;
  context?: string;
  workloads: WorkloadsDriver;
  /**
   * Removes what was created outside Terraform that would block this stack's destroy (Kubernetes load
   * balancers and their security groups and ENIs before eks/vpc; images before ecr).
   */
  beforeDestroy?: (
    stage: TerraformStage,
    outputs: ProjectOutputs,
    confirm: (lines: string[]) => Promise<boolean>,
  ) => Promise<void>;
}

/** What each resource type is, so the destroy plan can say why each line goes and what it costs. */
const DESCRIPTIONS: Record<string, string> = {
  aws_nat_gateway: "NAT gateway (billed hourly and per GB)",
  aws_eip: "Elastic IP of the NAT gateway",
  aws_eks_cluster: "EKS control plane (billed hourly)",
  aws_eks_node_group: "managed node group and its EC2 instances",
  aws_launch_template: "launch template of the node group",
  aws_kms_key: "KMS key for secrets (scheduled for deletion, not deleted at once)",
  aws_cloudwatch_log_group: "control-plane log group and its logs",
  aws_ecr_repository: "ECR repository (emptied first)",
  aws_s3_bucket: "S3 model bucket (must be empty)",
  aws_vpc: "the VPC",
  aws_subnet: "subnet",
  aws_internet_gateway: "internet gateway",
  aws_iam_role: "IAM role",
  aws_iam_openid_connect_provider: "IAM OIDC identity provider",
};

export function destroyReason(stage: StageName, change: Pick<PlannedChange, "type" | "kind">): string {
  const what = DESCRIPTIONS[change.type] ?? change.type.replace(/^aws_/, "").replaceAll("_", " ");
  return `${what}; stage ${stage} is being torn down`;
}

const MARK: Partial<Record<ChangeKind, string>> = { delete: "-", replace: "-/+", update: "~", create: "+" };

export async function runDown(rt: Runtime, options: DownOptions): Promise<{ stages: StageOutcome[] }> {
  const { io } = rt;
  await settleEarlierRuns(rt, options.stages);
  const states = await readAllStates(rt);
  const outputs = outputsOf(states);
  // Applied means the state holds something: a destroy cut short can leave resources without outputs.
  const applied = new Set<StageName>(Object.keys(states) as StageName[]);
  const left = dependentsLeft(options.stages, applied).filter((d) => isTerraformStage(d.stage));
  if (left.length > 0) {
    const first = left[0]!;
    throw new UserError(`Stage ${first.stage} is still applied and needs ${first.needs}; destroy it first.`, {
      code: "stage.dependents",
      suggestion: `Run \`triton-ops down --stage ${[...new Set([...left.map((l) => l.stage), ...options.stages])].join(",")}\` or --stage all.`,
    });
  }
  const tf = options.stages.some(isTerraformStage) ? await createTerraformRunner(rt) : undefined;
  if (tf) await syncStacks(rt.envDir);
  const ask = createMutex();
  const confirm = (lines: string[], question: string) =>
    ask(async () => {
      for (const line of lines) io.info(line);
      if (options.yes) return true;
      if (!io.interactive) {
        throw new UserError("There is something to destroy and no terminal to confirm it.", {
          code: "prompt.no-tty",
          suggestion:
            "Re-run with --yes once you have reviewed `triton-ops down` in a terminal or `triton-ops plan`.",
        });
      }
      return io.confirm(question, { default: false });
    });

  const execute = async (stage: StageName): Promise<StageOutcome> => {
    const started = Date.now();
    const progress = io.progress(stage);
    if (!isTerraformStage(stage)) {
      const result = await options.workloads.down(rt, outputs, {
        ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
        ...(options.context ? { context: options.context } : {}),
        onProgress: (text) => progress.update(text),
        confirm: (lines) => confirm(lines, "Delete these Kubernetes objects?"),
      });
      progress.done(
        `${stage}: ${result.status}${result.reason ? ` — ${result.reason}` : ""}`,
        result.status === "skipped" ? "skip" : "success",
      );
      return {
        stage,
        status: result.status === "deleted" ? "destroyed" : "skipped",
        durationMs: Date.now() - started,
      };
    }
    if (!tf) throw new Error("terraform runner missing");
    const held = states[stage]?.resources.length ?? 0;
    if (!states[stage]) {
      progress.done(`${stage}: nothing to destroy`, "success");
      return { stage, status: "unchanged", durationMs: Date.now() - started };
    }
    if (options.beforeDestroy) {
      await options.beforeDestroy(stage, outputs, (lines) =>
        confirm(lines, `Delete these before destroying ${stage}?`),
      );
    }
    const { planStage, applyStagePlan, forgetVanished } = await import("./terraform-stage.js");
    const plan = await planStage(rt, tf, stage, outputs, { destroy: true, progress });
    if (plan.summary.empty) {
      delete outputs[stage];
      if (held === 0) {
        progress.done(`${stage}: nothing to destroy`, "success");
        return { stage, status: "unchanged", durationMs: Date.now() - started };
      }
      progress.update("the state lists resources AWS no longer has; forgetting them");
      await forgetVanished(rt, tf, plan);
      const message = `${held} resources in the state were already gone from AWS; state cleared`;
      progress.done(`${stage}: ${message}`, "success");
      return { stage, status: "destroyed", message, durationMs: Date.now() - started };
    }
    const lines = [
      `${stage}: ${io.style.red(`${plan.summary.destroy} to destroy`)}`,
      ...plan.summary.changes.map(
        (c) =>
          `  ${io.style.red((MARK[c.kind] ?? "-").padEnd(3))} ${c.address}  ${io.style.dim(`(${destroyReason(stage, c)})`)}`,
      ),
    ];
    const approved = await confirm(lines, `Destroy ${plan.summary.destroy} resources of ${stage}?`);
    if (!approved) {
      progress.done(`${stage}: kept (declined)`, "skip");
      return { stage, status: "declined", durationMs: Date.now() - started };
    }
    await applyStagePlan(rt, tf, plan, operationCount(plan.summary), progress, "destroying");
    delete outputs[stage];
    progress.done(
      `${stage}: destroyed ${plan.summary.destroy} resources in ${formatElapsed(Date.now() - started)}`,
      "success",
    );
    return {
      stage,
      status: "destroyed",
      counts: { add: 0, change: 0, destroy: plan.summary.destroy },
      durationMs: Date.now() - started,
      logFile: plan.logFile,
    };
  };

  const stages = await runStageGraph(options.stages, "down", reportFailures(rt, execute), rt.ctx.interrupts);
  return { stages };
}

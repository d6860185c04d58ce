// `triton-ops scale`: new GPU pool bounds or Triton replica counts, checked, written to the project config
// (comments kept), then applied through `up` for the one stage they affect.
import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import type { Config, StageName } from "../config/schema.js";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../fs-util.js";
import type { Runtime } from "../runtime.js";
import { readAllOutputs } from "../terraform/state.js";
import { assertNeedsApplied, runUp, type UpResult, type WorkloadsDriver } from "./up.js";

export interface ScaleRequest {
  gpuMin?: number;
  gpuMax?: number;
  gpuDesired?: number;
  replicas?: number;
  maxReplicas?: number;
}

/** One config key the request sets, with the value it had. */
export interface ScaleChange {
  key: "gpu.minSize" | "gpu.maxSize" | "gpu.desiredSize" | "triton.replicas" | "triton.hpaMaxReplicas";
  from: number | null;
  to: number;
}

export interface ScalePlan {
  /** Only the keys whose value differs from the config's. */
  changes: ScaleChange[];
  /** The stages those keys feed, in pipeline order. */
  stages: StageName[];
  gpu: Pick<Config["gpu"], "minSize" | "desiredSize" | "maxSize">;
  triton: { replicas: number; hpaMaxReplicas: number | undefined };
}

export interface ScaleResult {
  configFile: string;
  changes: ScaleChange[];
  stages: StageName[];
  /** The GPU vCPU quota judgement for a new maxSize: checked, or skipped with the reason. */
  quota: { status: "pass" | "skipped"; summary: string } | null;
  /** The config file holds the new values (false when nothing changed or the apply was declined). */
  written: boolean;
  /** What `up` did for those stages; null when nothing changed. */
  apply: UpResult | null;
}

function badBounds(message: string): UserError {
  return new UserError(message, { code: "scale.bad-bounds" });
}

/**
 * Pure: the config's bounds with the request applied, refused (exit 2) when min > max, desired falls
 * outside [min, max], or replicas exceed the HPA's maximum. Negative numbers are refused by the command.
 */
export function planScale(config: Readonly<Config>, request: ScaleRequest): ScalePlan {
  const gpu = {
    minSize: request.gpuMin ?? config.gpu.minSize,
    desiredSize: request.gpuDesired ?? config.gpu.desiredSize,
    maxSize: request.gpuMax ?? config.gpu.maxSize,
  };
  const triton = {
    replicas: request.replicas ?? config.triton.replicas,
    hpaMaxReplicas: request.maxReplicas ?? config.triton.hpaMaxReplicas,
  };
  if (gpu.maxSize < 1)
    throw badBounds(`GPU max ${gpu.maxSize} is below 1: a node group needs a maximum of at least 1.`);
  if (gpu.minSize > gpu.maxSize) throw badBounds(`GPU min ${gpu.minSize} is above max ${gpu.maxSize}.`);
  if (gpu.desiredSize < gpu.minSize || gpu.desiredSize > gpu.maxSize) {
    throw badBounds(`GPU desired ${gpu.desiredSize} is outside [min ${gpu.minSize}, max ${gpu.maxSize}].`);
  }
  if (triton.replicas < 1) throw badBounds(`Triton replicas ${triton.replicas} is below 1.`);
  if (triton.hpaMaxReplicas !== undefined && triton.replicas > triton.hpaMaxReplicas) {
    throw badBounds(`Triton replicas ${triton.replicas} is above max replicas ${triton.hpaMaxReplicas}.`);
  }
  const candidates: ScaleChange[] = [
    { key: "gpu.minSize", from: config.gpu.minSize, to: gpu.minSize },
    { key: "gpu.maxSize", from: config.gpu.maxSize, to: gpu.maxSize },
    { key: "gpu.desiredSize", from: config.gpu.desiredSize, to: gpu.desiredSize },
    { key: "triton.replicas", from: config.triton.replicas, to: triton.replicas },
    ...(triton.hpaMaxReplicas !== undefined
      ? [
          {
            key: "triton.hpaMaxReplicas" as const,
            from: config.triton.hpaMaxReplicas ?? null,
            to: triton.hpaMaxReplicas,
          },
        ]
      : []),
  ];
  const changes = candidates.filter((c) => c.from !== c.to);
  const stages: StageName[] = [];
  if (changes.some((c) => c.key.startsWith("gpu."))) stages.push("gpu-nodes");
  if (changes.some((c) => c.key.startsWith("triton."))) stages.push("workloads");
  return { changes, stages, gpu, triton };
}

/** Sets each changed key in the YAML text, keeping its comments and layout. */
export function withScaleChanges(text: string, changes: readonly ScaleChange[]): string {
  const doc = parseDocument(text);
  for (const change of changes) doc.setIn(change.key.split("."), change.to);
  return doc.toString();
}

/** The config as the file will say once written: what the stages are planned and priced from. */
function scaledConfig(config: Readonly<Config>, plan: ScalePlan): Readonly<Config> {
  const triton = { ...config.triton, replicas: plan.triton.replicas };
  if (plan.triton.hpaMaxReplicas !== undefined) triton.hpaMaxReplicas = plan.triton.hpaMaxReplicas;
  return Object.freeze({ ...config, gpu: { ...config.gpu, ...plan.gpu }, triton });
}

export interface ScaleOptions {
  yes: boolean;
  workloads: WorkloadsDriver;
  kubeconfig?: string;
  context?: string;
}

/**
 * Checks the new maxSize against the GPU vCPU quota (as preflight does), writes the config, and runs `up`
 * for the affected stages only. A declined apply puts the file back as it was.
 */
export async function runScale(rt: Runtime, plan: ScalePlan, options: ScaleOptions): Promise<ScaleResult> {
  const configFile = rt.configFile;
  if (!configFile) {
    throw new UserError("scale writes the project config: there is no triton-ops.yaml here.", {
      code: "scale.no-project",
      suggestion: "Run it in the project directory, or pass -c FILE.",
    });
  }
  const base = { configFile, changes: plan.changes, stages: plan.stages };
  if (plan.changes.length === 0) return { ...base, quota: null, written: false, apply: null };

  const next = scaledConfig(rt.config, plan);
  let quota: ScaleResult["quota"] = null;
  if (plan.changes.some((c) => c.key === "gpu.maxSize" && c.to > (c.from ?? 0))) {
    const { checkGpuQuota } = await import("../doctor/preflight.js");
    const verdict = await checkGpuQuota(rt.aws, next);
    if (verdict.status === "fail") {
      throw new UserError(`GPU max ${plan.gpu.maxSize} is above the vCPU quota: ${verdict.summary}.`, {
        code: "scale.over-quota",
      });
    }
    quota =
      verdict.status === "pass"
        ? { status: "pass", summary: verdict.summary }
        : {
            status: "skipped",
            summary: `${verdict.summary}; Service Quotas did not answer${rt.config.sandbox ? " (the emulator has none)" : ""}`,
          };
    if (quota.status === "skipped") rt.io.warn(`GPU vCPU quota not checked: ${quota.summary}.`);
  }
  // Stages these need must be applied before the file changes, so a refusal leaves it as it was.
  assertNeedsApplied(plan.stages, await readAllOutputs(rt));

  const original = await readFile(configFile, "utf8");
  await writeFileAtomic(configFile, withScaleChanges(original, plan.changes));
  rt.io.info(
    `${configFile}: ${plan.changes.map((c) => `${c.key} ${c.from ?? "unset"} -> ${c.to}`).join(", ")}`,
  );
  if (plan.changes.some((c) => c.key === "gpu.desiredSize")) {
    rt.io.info(
      "gpu.desiredSize sets the node group's size when it is created; after that cluster-autoscaler owns it (Terraform ignores changes to it).",
    );
  }
  const apply = await runUp(
    { ...rt, config: next },
    {
      stages: plan.stages,
      yes: options.yes,
      workloads: options.workloads,
      ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
      ...(options.context ? { context: options.context } : {}),
    },
  );
  const declined = apply.stages.some((s) => s.status === "declined");
  const applied = apply.stages.some((s) => s.status === "applied" || s.status === "failed");
  if (declined && !applied) {
    await writeFileAtomic(configFile, original);
    rt.io.info(`Declined: ${configFile} is back as it was.`);
    return { ...base, quota, written: false, apply };
  }
  return { ...base, quota, written: true, apply };
}

/** The human summary: the keys changed, the quota judgement, then `up`'s stage lines. */
export function formatScaleHeader(result: ScaleResult): string {
  if (result.changes.length === 0) return "Nothing to change: the config already has these values.";
  const lines = result.changes.map((c) => `  ${c.key}: ${c.from ?? "unset"} -> ${c.to}`);
  if (result.quota) lines.push(`  GPU vCPU quota: ${result.quota.status} (${result.quota.summary})`);
  const head = result.written
    ? `${result.configFile} now has`
    : `${result.configFile} left as it was; asked for`;
  return [`${head} (${result.stages.join(", ")}):`, ...lines].join("\n");
}

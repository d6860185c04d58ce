import type { Config, StageName } from "../config/schema.js";
import {
  addRanges,
  type CostRange,
  type CostTotal,
  type ModelContext,
  type PricedItem,
  total,
  zero,
} from "./model.js";
import { priceTerraformResources, type TerraformResource } from "./resources.js";

/** A planned change as the forecast needs it: the address and the values after (none for a delete). */
export interface ForecastChange {
  address: string;
  type: string;
  kind: string;
  after: Record<string, unknown> | undefined;
}

export interface StageCostInput {
  stage: StageName;
  /** What the stage's state holds now (empty when not applied). */
  now: readonly TerraformResource[];
  /** The plan's changes; undefined when the stage could not be planned (see `estimate`). */
  changes?: readonly ForecastChange[];
  /** What the stage will hold after apply, estimated from the config, when it cannot be planned yet. */
  estimate?: readonly TerraformResource[];
  /** Priced directly: what Kubernetes creates for the workloads stage. */
  extra?: readonly PricedItem[];
  /** The same, for what runs now. */
  extraNow?: readonly PricedItem[];
}

export interface StageCost {
  stage: StageName;
  basis: "plan" | "config" | "kubernetes";
  now: CostTotal;
  after: CostTotal;
  change: CostRange;
  items: PricedItem[];
}

export interface CostForecast {
  stages: StageCost[];
  now: CostTotal;
  after: CostTotal;
  change: CostRange;
}

const diff = (a: CostRange, b: CostRange): CostRange => ({
  low: Math.round((a.low - b.low) * 100) / 100,
  expected: Math.round((a.expected - b.expected) * 100) / 100,
  high: Math.round((a.high - b.high) * 100) / 100,
});

/** Pure: what the stage holds after its plan is applied. */
export function afterApply(
  now: readonly TerraformResource[],
  changes: readonly ForecastChange[],
): TerraformResource[] {
  const changed = new Map(changes.map((c) => [c.address, c]));
  const kept = now.filter((r) => !changed.has(r.address));
  const created = changes
    .filter((c) => c.kind !== "delete" && c.after !== undefined)
    .map((c) => ({ address: c.address, type: c.type, values: c.after ?? {} }));
  return [...kept, ...created];
}

export function forecastStage(ctx: ModelContext, input: StageCostInput): StageCost {
  const nowItems = [...priceTerraformResources(ctx, input.now), ...(input.extraNow ?? [])];
  const afterResources = input.changes
    ? afterApply(input.now, input.changes)
    : input.estimate
      ? [...input.estimate]
      : [...input.now];
  const items = [...priceTerraformResources(ctx, afterResources), ...(input.extra ?? [])];
  const now = total(nowItems);
  const after = total(items);
  const basis = input.changes ? "plan" : input.estimate ? "config" : input.extra ? "kubernetes" : "plan";
  return { stage: input.stage, basis, now, after, change: diff(after.monthly, now.monthly), items };
}

export function forecast(ctx: ModelContext, inputs: readonly StageCostInput[]): CostForecast {
  const stages = inputs.map((i) => forecastStage(ctx, i));
  const now = sumTotals(stages.map((s) => s.now));
  const after = sumTotals(stages.map((s) => s.after));
  return { stages, now, after, change: diff(after.monthly, now.monthly) };
}

function sumTotals(totals: readonly CostTotal[]): CostTotal {
  return totals.reduce<CostTotal>(
    (sum, t) => ({ monthly: addRanges(sum.monthly, t.monthly), unknown: [...sum.unknown, ...t.unknown] }),
    { monthly: zero(), unknown: [] },
  );
}

/**
 * Pure: what a stage that cannot be planned yet (its inputs come from stages not applied) will create,
 * as Terraform resources made from the config: the same shapes the stacks declare, so they price alike.
 */
export function estimateFromConfig(
  stage: StageName,
  config: Readonly<Config>,
): TerraformResource[] | undefined {
  if (stage === "vpc") {
    const n = config.network.natGateways === "per-az" ? config.network.azCount : 1;
    const each = Array.from({ length: n }, (_, i) => [
      { address: `aws_nat_gateway.this[${i}]`, type: "aws_nat_gateway", values: {} },
      { address: `aws_eip.nat[${i}]`, type: "aws_eip", values: {} },
    ]).flat();
    const flowLogs = config.network.flowLogs
      ? [{ address: "aws_cloudwatch_log_group.flow_logs[0]", type: "aws_cloudwatch_log_group", values: {} }]
      : [];
    return [...each, ...flowLogs];
  }
  if (stage === "iam") return [];
  if (stage === "ecr") {
    return [
      { address: "aws_ecr_repository.this", type: "aws_ecr_repository", values: {} },
      { address: "aws_s3_bucket.models", type: "aws_s3_bucket", values: {} },
    ];
  }
  if (stage === "eks") {
    return [
      {
        address: "aws_eks_cluster.this",
        type: "aws_eks_cluster",
        values: { version: config.kubernetesVersion },
      },
      { address: "aws_kms_key.this", type: "aws_kms_key", values: {} },
      {
        address: "aws_cloudwatch_log_group.this",
        type: "aws_cloudwatch_log_group",
        values: { retention_in_days: config.cluster.logRetentionDays },
      },
    ];
  }
  if (stage === "gpu-nodes") {
    const groups: TerraformResource[] = [
      ...nodeGroup(
        "gpu",
        config.gpu.instanceTypes,
        config.gpu.capacityType,
        {
          min: config.gpu.minSize,
          desired: config.gpu.desiredSize,
          max: config.gpu.maxSize,
        },
        config.gpu.rootVolumeSizeGb,
      ),
    ];
    if (config.systemNodes.enabled) {
      const n = config.systemNodes.size;
      groups.push(
        ...nodeGroup(
          "system",
          config.systemNodes.instanceTypes,
          "ON_DEMAND",
          { min: n, desired: n, max: n },
          50,
        ),
      );
    }
    return groups;
  }
  return undefined;
}

function nodeGroup(
  key: string,
  instanceTypes: readonly string[],
  capacity: string,
  counts: { min: number; desired: number; max: number },
  rootGb: number,
): TerraformResource[] {
  return [
    {
      address: `aws_eks_node_group.${key}`,
      type: "aws_eks_node_group",
      values: {
        instance_types: [...instanceTypes],
        capacity_type: capacity,
        scaling_config: [{ min_size: counts.min, desired_size: counts.desired, max_size: counts.max }],
        launch_template: [{}],
      },
    },
    {
      address: `aws_launch_template.this["${key}"]`,
      type: "aws_launch_template",
      values: { block_device_mappings: [{ ebs: [{ volume_size: rootGb, volume_type: "gp3" }] }] },
    },
  ];
}

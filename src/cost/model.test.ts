import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { afterApply, estimateFromConfig, forecast } from "./forecast.js";
import {
  DEFAULT_ASSUMPTIONS,
  formatRange,
  instances,
  type ModelContext,
  natGateway,
  total,
} from "./model.js";
import { bundledPrices } from "./prices.js";
import { priceTerraformResources } from "./resources.js";

const ctx = (region: string, extended?: string[]): ModelContext => ({
  book: bundledPrices(region),
  assumptions: DEFAULT_ASSUMPTIONS,
  ...(extended ? { extendedSupport: (v: string) => extended.includes(v) } : {}),
});

// Figures from AWS's published on-demand list prices, read 2026-11-20:
// aws.amazon.com/ec2/pricing/on-demand (g5.xlarge us-east-1 $1.006/h, eu-west-1 $1.123/h),
// aws.amazon.com/vpc/pricing (NAT gateway us-east-1 $0.045/h + $0.045/GB, eu-west-1 $0.048/h + $0.048/GB),
// aws.amazon.com/eks/pricing ($0.10 per cluster-hour standard, $0.60 extended support),
// aws.amazon.com/ebs/pricing (gp3 us-east-1 $0.08/GB-month, eu-west-1 $0.088/GB-month).
describe("the price model", () => {
  it("prices a g5.xlarge month in us-east-1 and eu-west-1", () => {
    const counts = { min: 1, desired: 1, max: 1 };
    expect(instances(ctx("us-east-1"), "a", "g5.xlarge", "ON_DEMAND", counts).monthly?.expected).toBe(734.38);
    expect(instances(ctx("eu-west-1"), "a", "g5.xlarge", "ON_DEMAND", counts).monthly?.expected).toBe(819.79);
  });

  it("prices a NAT gateway with its stated data assumption", () => {
    const us = natGateway(ctx("us-east-1"), "nat");
    expect(us.monthly?.expected).toBe(37.35);
    expect(us.assumption).toBe("100 GB/month processed");
    expect(natGateway(ctx("eu-west-1"), "nat").monthly?.expected).toBe(39.84);
  });

  it("moves a GPU range with min and max", () => {
    const r = instances(ctx("us-east-1"), "gpu", "g5.xlarge", "ON_DEMAND", { min: 0, desired: 1, max: 4 });
    expect(r.monthly).toEqual({ low: 0, expected: 734.38, high: 2937.52 });
    expect(formatRange(r.monthly ?? { low: 0, expected: 0, high: 0 })).toBe("$734.38 ($0.00 to $2,937.52)");
    const spot = instances(ctx("us-east-1"), "gpu", "g5.xlarge", "SPOT", { min: 0, desired: 1, max: 4 });
    expect(spot.monthly?.expected).toBeLessThan(734.38);
    expect(spot.assumption).toMatch(/^spot at 35% of on demand \(estimate of 20\d\d-\d\d-\d\d\)$/);
  });

  it("applies the extended-support rate when the version is in extended support", () => {
    const cluster = [
      { address: "aws_eks_cluster.this", type: "aws_eks_cluster", values: { version: "1.32" } },
    ];
    expect(priceTerraformResources(ctx("us-east-1"), cluster)[0]?.monthly?.expected).toBe(73);
    const extended = priceTerraformResources(ctx("us-east-1", ["1.32"]), cluster)[0];
    expect(extended?.monthly?.expected).toBe(438);
    expect(extended?.what).toContain("extended support");
  });

  it("names what it cannot price and never counts it as zero", () => {
    const unknownType = instances(ctx("us-east-1"), "gpu", "p9.mega", "ON_DEMAND", {
      min: 1,
      desired: 1,
      max: 1,
    });
    expect(unknownType.monthly).toBeUndefined();
    expect(unknownType.unknown).toBe("no price for p9.mega in us-east-1");
    const region = natGateway(ctx("mars-east-1"), "nat");
    expect(region.unknown).toMatch(/mars-east-1/);
    const t = total([unknownType, natGateway(ctx("us-east-1"), "nat")]);
    expect(t.unknown).toHaveLength(1);
    expect(t.monthly.expected).toBe(37.35);
  });

  it("prices node groups with their launch template's root volumes", () => {
    const resources =
      estimateFromConfig(
        "gpu-nodes",
        configSchema.parse({ gpu: { minSize: 0, desiredSize: 1, maxSize: 3 } }),
      ) ?? [];
    const items = priceTerraformResources(ctx("us-east-1"), resources);
    const roots = items.find((i) => i.address === "aws_eks_node_group.gpu root volumes");
    expect(roots?.monthly).toEqual({ low: 0, expected: 8, high: 24 }); // 100 GB gp3 at $0.08
    const system = items.find((i) => i.address === "aws_eks_node_group.system");
    expect(system?.monthly?.expected).toBe(121.47); // 2 x t3.large at $0.0832/h
  });
});

describe("the forecast", () => {
  it("adds the stage figures up to its totals, and says the change from now", () => {
    const nat = { address: "aws_nat_gateway.this[0]", type: "aws_nat_gateway", values: {} };
    const eip = { address: "aws_eip.nat[0]", type: "aws_eip", values: {} };
    const f = forecast(ctx("us-east-1"), [
      {
        stage: "vpc",
        now: [nat, eip],
        changes: [{ address: eip.address, type: "aws_eip", kind: "delete", after: undefined }],
      },
      { stage: "eks", now: [], estimate: estimateFromConfig("eks", configSchema.parse({})) ?? [] },
    ]);
    const sum = f.stages.reduce((n, s) => n + s.after.monthly.expected, 0);
    expect(f.after.monthly.expected).toBeCloseTo(sum, 2);
    expect(f.stages[0]?.change.expected).toBe(-3.65);
    expect(f.now.monthly.expected).toBe(41);
    expect(f.change.expected).toBeCloseTo(f.after.monthly.expected - 41, 2);
  });

  it("keeps what a plan leaves alone and replaces what it changes", () => {
    const now = [
      { address: "a", type: "aws_eip", values: {} },
      { address: "b", type: "aws_kms_key", values: {} },
    ];
    const after = afterApply(now, [{ address: "b", type: "aws_kms_key", kind: "update", after: { x: 1 } }]);
    expect(after).toEqual([now[0], { address: "b", type: "aws_kms_key", values: { x: 1 } }]);
  });
});

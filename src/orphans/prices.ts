import {
  DEFAULT_ASSUMPTIONS,
  eksControlPlane,
  instances,
  kmsKey,
  loadBalancer,
  logGroup,
  type ModelContext,
  natGateway,
  type PricedItem,
  publicIpv4,
  volumeMonthly,
  volumes,
} from "../cost/model.js";
import { bundledPrices } from "../cost/prices.js";
import type { FoundResource } from "./types.js";

/**
 * What a found resource costs a month, by the one price model (src/cost/), at the bundled list prices of
 * the resource's region. ESTIMATES: the AWS bill is the truth.
 */
function context(region: string): ModelContext {
  return {
    book: bundledPrices(region && region !== "global" ? region : "us-east-1"),
    assumptions: DEFAULT_ASSUMPTIONS,
  };
}

export function pricedItem(r: FoundResource): PricedItem | undefined {
  const ctx = context(r.region);
  switch (r.type) {
    case "nat-gateway":
      // A leftover NAT gateway passes little traffic: its hours are the cost.
      return natGateway({ ...ctx, assumptions: { ...ctx.assumptions, natDataGbMonth: 0 } }, r.id);
    case "elastic-ip":
      // Every public IPv4 address is billed, attached or not.
      return publicIpv4(ctx, r.id);
    case "eks-cluster":
      return eksControlPlane(ctx, r.id, undefined);
    case "eks-nodegroup": {
      const n = r.desiredSize ?? 0;
      return instances(ctx, r.id, r.instanceTypes?.[0] ?? "", "ON_DEMAND", { min: n, desired: n, max: n });
    }
    case "load-balancer":
      return loadBalancer(ctx, r.id, r.lbType ?? "application");
    case "classic-load-balancer":
      return loadBalancer(ctx, r.id, "classic");
    case "ebs-volume":
      return volumes(ctx, r.id, {
        volumeType: r.volumeType ?? "gp2",
        sizeGb: r.sizeGb ?? 0,
        iops: r.iops ?? 0,
      });
    case "kms-key":
      return kmsKey(ctx, r.id);
    case "log-group": {
      const item = logGroup(
        { ...ctx, assumptions: { ...ctx.assumptions, logsIngestGbMonth: 0 } },
        r.id,
        undefined,
        (r.storedBytes ?? 0) / 1024 ** 3,
      );
      return item;
    }
    default:
      return undefined;
  }
}

/**
 * Pure: the estimated monthly cost of one resource in USD; 0 for what AWS does not bill by itself.
 * A price the model does not know is 0 here too, and the scan names it (`unknownPrice`).
 */
export function monthlyCost(r: FoundResource): number {
  return pricedItem(r)?.monthly?.expected ?? 0;
}

/** Why a resource that costs money could not be priced (an instance type or region not in the book). */
export function unknownPrice(r: FoundResource): string | undefined {
  return pricedItem(r)?.unknown;
}

export function ebsMonthly(volumeType: string, sizeGb: number, iops: number): number {
  return volumeMonthly(bundledPrices("us-east-1"), { volumeType, sizeGb, iops }) ?? 0;
}

/** Pure: a sum of monthly costs, in cents-exact dollars. */
export function totalCost(costs: number[]): number {
  return Math.round(costs.reduce((a, b) => a + b, 0) * 100) / 100;
}

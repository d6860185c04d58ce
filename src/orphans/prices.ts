import type { FoundResource } from "./types.js";

/**
 * ESTIMATES: AWS list prices for us-east-1 (on demand, November 2026), used to say roughly what a
 * forgotten resource costs per month. Other regions, data transfer, LCUs, snapshots and discounts are
 * not included; the AWS bill is the truth.
 */
export const HOURS_PER_MONTH = 730;

export const PRICES_USD = {
  natGatewayHour: 0.045,
  publicIpv4Hour: 0.005,
  eksControlPlaneHour: 0.1,
  albHour: 0.0225,
  nlbHour: 0.0225,
  gwlbHour: 0.0125,
  clbHour: 0.025,
  kmsKeyMonth: 1,
  logStorageGbMonth: 0.03,
  /** EBS storage per GB-month, by volume type. */
  ebsGbMonth: { gp2: 0.1, gp3: 0.08, io1: 0.125, io2: 0.125, st1: 0.045, sc1: 0.015, standard: 0.05 },
  /** Provisioned IOPS per IOPS-month (io1/io2 first tier; gp3 above its free 3,000). */
  ebsIopsMonth: { io1: 0.065, io2: 0.065, gp3: 0.005 },
  /** On-demand instance hours for the node types this project uses. */
  instanceHour: {
    "g4dn.xlarge": 0.526,
    "g4dn.2xlarge": 0.752,
    "g5.xlarge": 1.006,
    "g5.2xlarge": 1.212,
    "g5.4xlarge": 1.624,
    "g6.xlarge": 0.805,
    "g6.2xlarge": 0.978,
    "g6e.xlarge": 1.861,
    "p4d.24xlarge": 21.958,
    "t3.medium": 0.0416,
    "t3.large": 0.0832,
    "m5.large": 0.096,
    "m5.xlarge": 0.192,
  } as Record<string, number>,
} as const;

const round = (usd: number) => Math.round(usd * 100) / 100;

/** Pure: the estimated monthly cost of one resource in USD; 0 for what AWS does not bill by itself. */
export function monthlyCost(r: FoundResource): number {
  const p = PRICES_USD;
  switch (r.type) {
    case "nat-gateway":
      return round(p.natGatewayHour * HOURS_PER_MONTH);
    case "elastic-ip":
      // Every public IPv4 address is billed, attached or not.
      return round(p.publicIpv4Hour * HOURS_PER_MONTH);
    case "eks-cluster":
      return round(p.eksControlPlaneHour * HOURS_PER_MONTH);
    case "eks-nodegroup": {
      const hourly = p.instanceHour[r.instanceTypes?.[0] ?? ""] ?? 0;
      return round(hourly * (r.desiredSize ?? 0) * HOURS_PER_MONTH);
    }
    case "load-balancer": {
      const hourly = r.lbType === "network" ? p.nlbHour : r.lbType === "gateway" ? p.gwlbHour : p.albHour;
      return round(hourly * HOURS_PER_MONTH);
    }
    case "classic-load-balancer":
      return round(p.clbHour * HOURS_PER_MONTH);
    case "ebs-volume":
      return round(ebsMonthly(r.volumeType ?? "gp2", r.sizeGb ?? 0, r.iops ?? 0));
    case "kms-key":
      return p.kmsKeyMonth;
    case "log-group":
      return round(((r.storedBytes ?? 0) / 1024 ** 3) * p.logStorageGbMonth);
    default:
      return 0;
  }
}

export function ebsMonthly(volumeType: string, sizeGb: number, iops: number): number {
  const perGb = PRICES_USD.ebsGbMonth[volumeType as keyof typeof PRICES_USD.ebsGbMonth] ?? 0.1;
  let total = perGb * sizeGb;
  if (volumeType === "io1" || volumeType === "io2") total += iops * PRICES_USD.ebsIopsMonth[volumeType];
  if (volumeType === "gp3" && iops > 3000) total += (iops - 3000) * PRICES_USD.ebsIopsMonth.gp3;
  return total;
}

/** Pure: a sum of monthly costs, in cents-exact dollars. */
export function totalCost(costs: number[]): number {
  return round(costs.reduce((a, b) => a + b, 0));
}

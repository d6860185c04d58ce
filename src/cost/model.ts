import { HOURS_PER_MONTH, type PriceBook, SPOT_ESTIMATE_AS_OF, SPOT_SHARE_OF_ON_DEMAND } from "./prices.js";

/**
 * The one price model: pure functions from what exists (or will) to estimated USD per month. orphan-scan,
 * plan, up and status all price through here, with the same book and the same stated assumptions.
 */

/** Cost over the range a thing can take: GPU nodes between their pool's min, desired and max. */
export interface CostRange {
  low: number;
  expected: number;
  high: number;
}

export interface PricedItem {
  /** Terraform address, Kubernetes object or AWS id. */
  address: string;
  /** What is billed, in words ("2 x g5.xlarge (spot)"). */
  what: string;
  /** Undefined when a price is unknown: never counted as zero. */
  monthly?: CostRange;
  /** Why it could not be priced. */
  unknown?: string;
  /** A usage the estimate assumes (data processed, log volume, storage). */
  assumption?: string;
}

/** Usage the model cannot see and assumes, stated wherever a figure depends on it. */
export interface CostAssumptions {
  natDataGbMonth: number;
  logsIngestGbMonth: number;
  modelRepositoryGb: number;
  imageStorageGb: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  natDataGbMonth: 100,
  logsIngestGbMonth: 5,
  modelRepositoryGb: 20,
  imageStorageGb: 20,
};

export interface ModelContext {
  book: PriceBook;
  assumptions: CostAssumptions;
  /** True when that Kubernetes version is in EKS extended support (billed at the extended rate). */
  extendedSupport?: (version: string) => boolean;
}

const round2 = (usd: number) => Math.round(usd * 100) / 100;
export const fixed = (monthly: number): CostRange => {
  const v = round2(monthly);
  return { low: v, expected: v, high: v };
};
const scaled = (unit: number, n: { low: number; expected: number; high: number }): CostRange => ({
  low: round2(unit * n.low),
  expected: round2(unit * n.expected),
  high: round2(unit * n.high),
});

export function zero(): CostRange {
  return { low: 0, expected: 0, high: 0 };
}

export function addRanges(a: CostRange, b: CostRange): CostRange {
  return {
    low: round2(a.low + b.low),
    expected: round2(a.expected + b.expected),
    high: round2(a.high + b.high),
  };
}

export interface CostTotal {
  monthly: CostRange;
  /** Items that could not be priced: the total is a lower bound while any are. */
  unknown: PricedItem[];
}

export function total(items: readonly PricedItem[]): CostTotal {
  let monthly = zero();
  const unknown: PricedItem[] = [];
  for (const item of items) {
    if (item.monthly) monthly = addRanges(monthly, item.monthly);
    else unknown.push(item);
  }
  return { monthly, unknown };
}

function priced(
  address: string,
  what: string,
  unit: number | undefined,
  hint: string,
  monthly: (u: number) => CostRange,
) {
  if (unit === undefined)
    return { address, what, unknown: `no ${hint} price for ${what}` } satisfies PricedItem;
  return { address, what, monthly: monthly(unit) } satisfies PricedItem;
}

const hourly = (h: number) => fixed(h * HOURS_PER_MONTH);

export function natGateway(ctx: ModelContext, address: string): PricedItem {
  const { book, assumptions } = ctx;
  const data = assumptions.natDataGbMonth;
  if (book.natGatewayHour === undefined || book.natGatewayGb === undefined) {
    return { address, what: "NAT gateway", unknown: `no NAT gateway price in ${book.region}` };
  }
  return {
    address,
    what: "NAT gateway",
    monthly: fixed(book.natGatewayHour * HOURS_PER_MONTH + book.natGatewayGb * data),
    assumption: `${data} GB/month processed`,
  };
}

export function publicIpv4(ctx: ModelContext, address: string): PricedItem {
  return priced(address, "public IPv4 address", ctx.book.publicIpv4Hour, ctx.book.region, hourly);
}

export function eksControlPlane(ctx: ModelContext, address: string, version: string | undefined): PricedItem {
  const extended = version !== undefined && ctx.extendedSupport?.(version) === true;
  const rate = extended ? ctx.book.eksExtendedHour : ctx.book.eksStandardHour;
  const what = `EKS control plane${version ? ` (Kubernetes ${version}${extended ? ", extended support" : ""})` : ""}`;
  return priced(address, what, rate, ctx.book.region, hourly);
}

export interface NodeCounts {
  min: number;
  desired: number;
  max: number;
}

export function instances(
  ctx: ModelContext,
  address: string,
  instanceType: string,
  capacity: "ON_DEMAND" | "SPOT",
  counts: NodeCounts,
): PricedItem {
  const onDemand = ctx.book.instanceHour[instanceType];
  const spot = capacity === "SPOT";
  const n = { low: counts.min, expected: counts.desired, high: counts.max };
  const what = `${counts.min}-${counts.max} x ${instanceType}${spot ? " (spot)" : ""}, ${counts.desired} desired`;
  if (onDemand === undefined) {
    return { address, what, unknown: `no price for ${instanceType} in ${ctx.book.region}` };
  }
  const unit = (spot ? onDemand * SPOT_SHARE_OF_ON_DEMAND : onDemand) * HOURS_PER_MONTH;
  return {
    address,
    what,
    monthly: scaled(unit, n),
    ...(spot
      ? {
          assumption: `spot at ${SPOT_SHARE_OF_ON_DEMAND * 100}% of on demand (estimate of ${SPOT_ESTIMATE_AS_OF})`,
        }
      : {}),
  };
}

export interface Volume {
  volumeType: string;
  sizeGb: number;
  iops?: number;
  throughput?: number;
}

/** One EBS volume's month: storage, plus provisioned IOPS and gp3 IOPS/throughput above the baseline. */
export function volumeMonthly(book: PriceBook, v: Volume): number | undefined {
  const perGb = book.ebsGbMonth[v.volumeType];
  if (perGb === undefined) return undefined;
  let month = perGb * v.sizeGb;
  const iops = v.iops ?? 0;
  if (v.volumeType === "io1" || v.volumeType === "io2")
    month += iops * (book.ebsIopsMonth[v.volumeType] ?? 0);
  if (v.volumeType === "gp3") {
    month += Math.max(0, iops - 3000) * (book.ebsIopsMonth.gp3 ?? 0);
    month += Math.max(0, (v.throughput ?? 125) - 125) * (book.gp3ThroughputMonth ?? 0);
  }
  return month;
}

export function volumes(
  ctx: ModelContext,
  address: string,
  v: Volume,
  counts: NodeCounts = { min: 1, desired: 1, max: 1 },
): PricedItem {
  const unit = volumeMonthly(ctx.book, v);
  const many = counts.max !== 1 || counts.min !== 1;
  const what = `${many ? `${counts.min}-${counts.max} x ` : ""}${v.sizeGb} GB ${v.volumeType} volume`;
  if (unit === undefined) return { address, what, unknown: `no ${v.volumeType} price in ${ctx.book.region}` };
  return {
    address,
    what,
    monthly: scaled(unit, { low: counts.min, expected: counts.desired, high: counts.max }),
  };
}

export function loadBalancer(ctx: ModelContext, address: string, lbType: string): PricedItem {
  const rate =
    lbType === "network"
      ? ctx.book.nlbHour
      : lbType === "gateway"
        ? ctx.book.gwlbHour
        : lbType === "classic"
          ? ctx.book.clbHour
          : ctx.book.albHour;
  const label =
    lbType === "network" ? "NLB" : lbType === "gateway" ? "GWLB" : lbType === "classic" ? "CLB" : "ALB";
  const item = priced(
    address,
    `${label} (hours; capacity units not included)`,
    rate,
    ctx.book.region,
    hourly,
  );
  return item;
}

export function kmsKey(ctx: ModelContext, address: string): PricedItem {
  return priced(address, "KMS key", ctx.book.kmsKeyMonth, ctx.book.region, fixed);
}

/** A log group: the assumed monthly ingestion, and what that keeps stored over its retention. */
export function logGroup(
  ctx: ModelContext,
  address: string,
  retentionDays: number | undefined,
  storedGb?: number,
): PricedItem {
  const { book, assumptions } = ctx;
  if (book.logsIngestGb === undefined || book.logsStorageGbMonth === undefined) {
    return { address, what: "CloudWatch log group", unknown: `no CloudWatch Logs price in ${book.region}` };
  }
  const ingest = assumptions.logsIngestGbMonth;
  const months = Math.min(retentionDays && retentionDays > 0 ? retentionDays : 365, 365) / 30;
  const stored = storedGb ?? ingest * months;
  return {
    address,
    what: "CloudWatch log group",
    monthly: fixed(ingest * book.logsIngestGb + stored * book.logsStorageGbMonth),
    assumption: `${ingest} GB/month ingested, ${Math.round(stored)} GB stored`,
  };
}

export function storage(ctx: ModelContext, address: string, service: "s3" | "ecr", gb?: number): PricedItem {
  const assumed = gb === undefined;
  const size = gb ?? (service === "s3" ? ctx.assumptions.modelRepositoryGb : ctx.assumptions.imageStorageGb);
  const rate = service === "s3" ? ctx.book.s3GbMonth : ctx.book.ecrGbMonth;
  const what = service === "s3" ? "S3 storage" : "ECR image storage";
  const item = priced(address, what, rate, ctx.book.region, (r) => fixed(r * size));
  return assumed ? { ...item, assumption: `${size} GB stored` } : item;
}

/** "$1,234.50", "-$12.00", "+$812.40" with `signed`. */
export function usd(amount: number, signed = false): string {
  const abs = Math.abs(amount).toLocaleString("en-US", {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  const sign = amount < 0 ? "-" : signed && amount > 0 ? "+" : "";
  return `${sign}$${abs}`;
}

/** "$735.18" or "$735.18 ($0.00-$1,470.36)" when the range is wide. */
export function formatRange(r: CostRange, signed = false): string {
  if (r.low === r.high) return usd(r.expected, signed);
  return `${usd(r.expected, signed)} (${usd(r.low, signed)} to ${usd(r.high, signed)})`;
}

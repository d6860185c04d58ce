/**
 * The price book: what each billable thing costs in one region, in USD, with where the figures came from
 * and when. ESTIMATES: list prices, before discounts, savings plans, credits and taxes; the AWS bill is the
 * truth.
 */
export const HOURS_PER_MONTH = 730;

export interface PriceBook {
  region: string;
  /** "price-list": the AWS Price List API (GetProducts); "bundled": the table below. */
  source: "price-list" | "bundled";
  /** The day the figures were read (price-list) or written down (bundled), YYYY-MM-DD. */
  asOf: string;
  natGatewayHour?: number;
  natGatewayGb?: number;
  publicIpv4Hour?: number;
  eksStandardHour?: number;
  eksExtendedHour?: number;
  /** On-demand Linux, shared tenancy, per instance-hour. */
  instanceHour: Record<string, number>;
  ebsGbMonth: Partial<Record<string, number>>;
  ebsIopsMonth: Partial<Record<string, number>>;
  /** gp3 throughput above the free 125 MB/s, per MB/s-month. */
  gp3ThroughputMonth?: number;
  nlbHour?: number;
  albHour?: number;
  clbHour?: number;
  gwlbHour?: number;
  kmsKeyMonth?: number;
  logsIngestGb?: number;
  logsStorageGbMonth?: number;
  s3GbMonth?: number;
  ecrGbMonth?: number;
}

/**
 * Spot capacity is not in the Price List: its price moves by the hour and the AZ. A dated estimate of the
 * spot price as a share of on demand for GPU instances in the regions below (AWS Spot Instance Advisor,
 * savings of 60-70% shown for g4dn/g5/g6 in us-east-1 and eu-west-1, November 2026).
 */
export const SPOT_SHARE_OF_ON_DEMAND = 0.35;
export const SPOT_ESTIMATE_AS_OF = "2026-11-20";

/** Bundled prices are said to be old after this many days. */
export const BUNDLED_STALE_AFTER_DAYS = 120;

/**
 * Bundled AWS list prices (aws.amazon.com/<service>/pricing pages, on-demand, as read on 2026-11-20).
 * Only regions and instance types written here are known; anything else prices as "unknown".
 */
export const BUNDLED_AS_OF = "2026-11-20";
const BUNDLED: Record<string, Omit<PriceBook, "region" | "source" | "asOf">> = {
  "us-east-1": {
    natGatewayHour: 0.045,
    natGatewayGb: 0.045,
    publicIpv4Hour: 0.005,
    eksStandardHour: 0.1,
    eksExtendedHour: 0.6,
    instanceHour: {
      "g4dn.xlarge": 0.526,
      "g4dn.2xlarge": 0.752,
      "g4dn.4xlarge": 1.204,
      "g5.xlarge": 1.006,
      "g5.2xlarge": 1.212,
      "g5.4xlarge": 1.624,
      "g5.12xlarge": 5.672,
      "g6.xlarge": 0.8048,
      "g6.2xlarge": 0.9776,
      "g6e.xlarge": 1.861,
      "p4d.24xlarge": 21.9576,
      "t3.medium": 0.0416,
      "t3.large": 0.0832,
      "m5.large": 0.096,
      "m5.xlarge": 0.192,
      "m6i.large": 0.096,
      "m6i.xlarge": 0.192,
    },
    ebsGbMonth: { gp2: 0.1, gp3: 0.08, io1: 0.125, io2: 0.125, st1: 0.045, sc1: 0.015, standard: 0.05 },
    ebsIopsMonth: { io1: 0.065, io2: 0.065, gp3: 0.005 },
    gp3ThroughputMonth: 0.04,
    nlbHour: 0.0225,
    albHour: 0.0225,
    clbHour: 0.025,
    gwlbHour: 0.0125,
    kmsKeyMonth: 1,
    logsIngestGb: 0.5,
    logsStorageGbMonth: 0.03,
    s3GbMonth: 0.023,
    ecrGbMonth: 0.1,
  },
  "eu-west-1": {
    natGatewayHour: 0.048,
    natGatewayGb: 0.048,
    publicIpv4Hour: 0.005,
    eksStandardHour: 0.1,
    eksExtendedHour: 0.6,
    instanceHour: {
      "g4dn.xlarge": 0.587,
      "g4dn.2xlarge": 0.838,
      "g5.xlarge": 1.123,
      "g5.2xlarge": 1.353,
      "t3.medium": 0.0456,
      "t3.large": 0.0912,
      "m5.large": 0.107,
      "m5.xlarge": 0.214,
    },
    ebsGbMonth: { gp2: 0.11, gp3: 0.088, io1: 0.138, io2: 0.138, st1: 0.05, sc1: 0.0168, standard: 0.055 },
    ebsIopsMonth: { io1: 0.072, io2: 0.072, gp3: 0.0055 },
    gp3ThroughputMonth: 0.044,
    nlbHour: 0.0252,
    albHour: 0.0252,
    clbHour: 0.028,
    gwlbHour: 0.014,
    kmsKeyMonth: 1,
    logsIngestGb: 0.57,
    logsStorageGbMonth: 0.03,
    s3GbMonth: 0.023,
    ecrGbMonth: 0.1,
  },
};

/** The bundled book for a region; a region not bundled gets an empty book, so everything in it is unknown. */
export function bundledPrices(region: string): PriceBook {
  const known = BUNDLED[region];
  return {
    region,
    source: "bundled",
    asOf: BUNDLED_AS_OF,
    ...(known ?? { instanceHour: {}, ebsGbMonth: {}, ebsIopsMonth: {} }),
  };
}

export function bundledRegions(): string[] {
  return Object.keys(BUNDLED);
}

/** How many days old the book's figures are on `now`. */
export function ageInDays(book: PriceBook, now: Date): number {
  return Math.floor((now.getTime() - Date.parse(`${book.asOf}T00:00:00Z`)) / 86_400_000);
}

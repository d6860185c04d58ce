import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ageInDays, BUNDLED_STALE_AFTER_DAYS, bundledPrices, type PriceBook } from "./prices.js";

/** The Price List facts the cost model asks AWS for; src/aws/pricing.ts implements it. */
export interface LivePrices {
  onDemand(
    serviceCode: string,
    filters: Record<string, string>,
  ): Promise<Array<{ usd: number; unit: string; attributes: Record<string, string> }>>;
}

/** Live prices are read again after this many days. */
const CACHE_DAYS = 7;

export interface PriceBookResult {
  book: PriceBook;
  /** Where the figures came from, in words, for every cost line. */
  label: string;
  warnings: string[];
}

const cheapest = (rows: Array<{ usd: number; unit: string }>, unit: string) =>
  rows
    .filter((r) => r.unit === unit)
    .reduce<number | undefined>((m, r) => (m === undefined || r.usd < m ? r.usd : m), undefined);

/** An hourly price: the Price List spells the unit "Hrs" for EC2 and NAT, "Hours" for EKS (either is taken). */
const cheapestHourly = (rows: Array<{ usd: number; unit: string }>) =>
  cheapest(rows, "Hours") ?? cheapest(rows, "Hrs");

/** Reads the prices the model needs for a region from the Price List API, over the bundled book. */
export async function fetchLiveBook(
  live: LivePrices,
  region: string,
  instanceTypes: readonly string[],
  today: string,
) {
  const base = bundledPrices(region);
  const book: PriceBook = {
    ...base,
    source: "price-list",
    asOf: today,
    instanceHour: { ...base.instanceHour },
  };
  const ec2 = {
    regionCode: region,
    operatingSystem: "Linux",
    tenancy: "Shared",
    preInstalledSw: "NA",
    capacitystatus: "Used",
  };
  const [eks, nat, ...types] = await Promise.all([
    live.onDemand("AmazonEKS", { regionCode: region }),
    live.onDemand("AmazonEC2", { regionCode: region, productFamily: "NAT Gateway" }),
    ...instanceTypes.map((t) => live.onDemand("AmazonEC2", { ...ec2, instanceType: t })),
  ]);
  const usage = (rows: typeof eks, suffix: string) =>
    rows.filter((r) => (r.attributes.usagetype ?? "").endsWith(suffix));
  const standard = cheapestHourly(usage(eks, "AmazonEKS-Hours:perCluster"));
  const extended = cheapestHourly(usage(eks, "AmazonEKS-Hours:extendedSupport"));
  if (standard !== undefined) book.eksStandardHour = standard;
  if (extended !== undefined) book.eksExtendedHour = extended;
  const natHour = cheapestHourly(usage(nat, "NatGateway-Hours"));
  const natGb = cheapest(usage(nat, "NatGateway-Bytes"), "GB");
  if (natHour !== undefined) book.natGatewayHour = natHour;
  if (natGb !== undefined) book.natGatewayGb = natGb;
  instanceTypes.forEach((t, i) => {
    const hour = cheapestHourly(types[i] ?? []);
    if (hour !== undefined) book.instanceHour[t] = hour;
  });
  return book;
}

/**
 * The price book for a region: the Price List API when AWS answers (cached for a week with its date),
 * else the bundled table with its date, said to be old after 120 days. The sandbox never asks: the
 * emulator has no Price List, and a sandbox's resources cost nothing anyway; it is priced as us-east-1
 * would be, for practice.
 */
export async function loadPriceBook(options: {
  region: string;
  instanceTypes: readonly string[];
  live: LivePrices | undefined;
  cacheDir: string | undefined;
  now: Date;
}): Promise<PriceBookResult> {
  const { region, now } = options;
  const today = now.toISOString().slice(0, 10);
  const warnings: string[] = [];
  const cacheFile = options.cacheDir ? path.join(options.cacheDir, `prices-${region}.json`) : undefined;
  if (options.live) {
    const cached = cacheFile ? await readCache(cacheFile) : undefined;
    const fresh =
      cached &&
      ageInDays(cached, now) <= CACHE_DAYS &&
      options.instanceTypes.every((t) => cached.instanceHour[t] !== undefined);
    if (fresh) return { book: cached, label: liveLabel(cached), warnings };
    try {
      const book = await fetchLiveBook(options.live, region, options.instanceTypes, today);
      if (cacheFile) {
        await mkdir(path.dirname(cacheFile), { recursive: true });
        await writeFile(cacheFile, `${JSON.stringify(book, null, 2)}\n`);
      }
      return { book, label: liveLabel(book), warnings };
    } catch (error) {
      warnings.push(
        `the AWS Price List API did not answer (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); using bundled prices`,
      );
    }
  }
  const book = bundledPrices(region);
  const age = ageInDays(book, now);
  if (age > BUNDLED_STALE_AFTER_DAYS) {
    warnings.push(`the bundled prices are from ${book.asOf}, ${age} days old: AWS prices may have changed`);
  }
  if (Object.keys(book.instanceHour).length === 0) {
    warnings.push(`no bundled prices for ${region}: its costs show as unknown`);
  }
  return { book, label: `bundled ${region} list prices of ${book.asOf}`, warnings };
}

function liveLabel(book: PriceBook): string {
  return `AWS Price List API (${book.region}, read ${book.asOf}; EBS, load balancers, KMS, logs and storage from the bundled table)`;
}

async function readCache(file: string): Promise<PriceBook | undefined> {
  try {
    const book = JSON.parse(await readFile(file, "utf8")) as PriceBook;
    return book.source === "price-list" && typeof book.asOf === "string" ? book : undefined;
  } catch {
    return undefined;
  }
}

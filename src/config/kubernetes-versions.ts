import { bundledPrices, HOURS_PER_MONTH } from "../cost/prices.js";
/**
 * EKS Kubernetes versions: the bundled fallback table and the pure rules over any version list,
 * live (EKS DescribeClusterVersions) or bundled. Collectors live in src/versions/; nothing here does I/O.
 */

export type SupportPhase = "standard" | "extended" | "unsupported";

export interface KubernetesVersionInfo {
  /** Minor version, "1.35". */
  version: string;
  /** ISO dates (UTC). */
  releaseDate: string;
  endOfStandardSupport: string;
  endOfExtendedSupport: string;
  /** What AWS said, when the list is live; the bundled table leaves it to the dates. */
  status?: SupportPhase;
  /** AWS marks one version as the default for new clusters. */
  isDefault?: boolean;
}

export interface VersionCatalog {
  source: "aws" | "bundled";
  /** The date the facts were true on: today for a live list, the table's date for the bundled one. */
  asOf: string;
  versions: KubernetesVersionInfo[];
  /** Why the live list could not be had, when source is "bundled". */
  fallbackReason?: string;
}

/**
 * The Amazon EKS Kubernetes release calendar, as published in the EKS User Guide
 * ("Understand the Kubernetes version lifecycle on EKS", docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html)
 * and checked against its state on BUNDLED_AS_OF. Used only when DescribeClusterVersions cannot be asked.
 * 1.36 and later are not here: their EKS dates were not published in the sources read on that day.
 */
export const BUNDLED_AS_OF = "2026-12-01";
export const BUNDLED_VERSIONS: readonly KubernetesVersionInfo[] = [
  {
    version: "1.35",
    releaseDate: "2026-01-27",
    endOfStandardSupport: "2027-03-27",
    endOfExtendedSupport: "2028-03-27",
  },
  {
    version: "1.34",
    releaseDate: "2025-10-02",
    endOfStandardSupport: "2026-12-02",
    endOfExtendedSupport: "2027-12-02",
  },
  {
    version: "1.33",
    releaseDate: "2025-05-29",
    endOfStandardSupport: "2026-07-29",
    endOfExtendedSupport: "2027-07-29",
  },
  {
    version: "1.32",
    releaseDate: "2025-01-23",
    endOfStandardSupport: "2026-03-23",
    endOfExtendedSupport: "2027-03-23",
  },
  {
    version: "1.31",
    releaseDate: "2024-09-26",
    endOfStandardSupport: "2025-11-26",
    endOfExtendedSupport: "2026-11-26",
  },
  {
    version: "1.30",
    releaseDate: "2024-05-23",
    endOfStandardSupport: "2025-07-23",
    endOfExtendedSupport: "2026-07-23",
  },
  {
    version: "1.29",
    releaseDate: "2024-01-23",
    endOfStandardSupport: "2025-03-23",
    endOfExtendedSupport: "2026-03-23",
  },
  {
    version: "1.28",
    releaseDate: "2023-09-26",
    endOfStandardSupport: "2024-11-26",
    endOfExtendedSupport: "2025-11-26",
  },
];

/** After this many days the bundled table is said to be old (the EKS calendar moves every ~4 months). */
export const STALE_AFTER_DAYS = 120;

/** EKS cluster-hour prices, USD: the one price book's us-east-1 rates (src/cost/prices.ts, dated there). */
const EKS_RATES = bundledPrices("us-east-1");
export const CLUSTER_HOUR_USD = {
  standard: EKS_RATES.eksStandardHour ?? 0.1,
  extended: EKS_RATES.eksExtendedHour ?? 0.6,
};

export const monthlyClusterCost = (phase: "standard" | "extended"): number =>
  Math.round(CLUSTER_HOUR_USD[phase] * HOURS_PER_MONTH);
export const monthlyExtendedSurcharge = (): number =>
  Math.round((CLUSTER_HOUR_USD.extended - CLUSTER_HOUR_USD.standard) * HOURS_PER_MONTH);

export function bundledCatalog(): VersionCatalog {
  return { source: "bundled", asOf: BUNDLED_AS_OF, versions: [...BUNDLED_VERSIONS] };
}

/** "1.35" -> [1, 35]; undefined for anything that is not MAJOR.MINOR. */
export function parseMinor(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function compareMinor(a: string, b: string): number {
  const x = parseMinor(a) ?? [0, 0];
  const y = parseMinor(b) ?? [0, 0];
  return x[0] - y[0] || x[1] - y[1];
}

const day = (iso: string): string => iso.slice(0, 10);
export const isoDay = (d: Date): string => d.toISOString().slice(0, 10);

/**
 * The phase on a given day. The dates decide (a version's phase changes at the start of its end day,
 * UTC, which is when EKS starts billing extended support); AWS's own status wins when live.
 */
export function phaseOn(info: KubernetesVersionInfo, today: string): SupportPhase {
  if (info.status) return info.status;
  if (today < day(info.endOfStandardSupport)) return "standard";
  if (today < day(info.endOfExtendedSupport)) return "extended";
  return "unsupported";
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(day(to)) - Date.parse(day(from))) / 86_400_000);
}

/** Days the catalog's facts are old; only the bundled table ages. */
export function catalogAgeDays(catalog: VersionCatalog, today: string): number {
  return catalog.source === "bundled" ? daysBetween(catalog.asOf, today) : 0;
}

export function staleNotice(catalog: VersionCatalog, today: string): string | undefined {
  const age = catalogAgeDays(catalog, today);
  if (age <= STALE_AFTER_DAYS) return undefined;
  return `The bundled EKS version table is from ${catalog.asOf} (${age} days old); support dates may have moved. Upgrade triton-ops, or give it AWS access so it reads them from EKS.`;
}

/**
 * The version new clusters get: the one AWS marks default when live, else the newest version in
 * standard support on that day (the EKS guide recommends the latest available version).
 */
export function defaultVersion(catalog: VersionCatalog, today: string): string {
  const live = catalog.versions.find((v) => v.isDefault);
  if (live) return live.version;
  const standard = catalog.versions
    .filter((v) => phaseOn(v, today) === "standard")
    .sort((a, b) => compareMinor(b.version, a.version));
  const newest = [...catalog.versions].sort((a, b) => compareMinor(b.version, a.version))[0];
  return (standard[0] ?? newest)?.version ?? BUNDLED_VERSIONS[0]!.version;
}

export interface VersionVerdict {
  version: string;
  phase: SupportPhase | "unknown";
  info?: KubernetesVersionInfo;
  source: VersionCatalog["source"];
  asOf: string;
  /** USD a month above standard support, when in extended support. */
  monthlySurcharge?: number;
  /** One line for the operator; absent when the version is in standard support. */
  message?: string;
  /** True when EKS refuses new clusters on it (past extended support). */
  refused: boolean;
}

/** Judges a configured version against the catalog (pure). */
export function judgeVersion(catalog: VersionCatalog, version: string, today: string): VersionVerdict {
  const base = { version, source: catalog.source, asOf: catalog.asOf };
  const info = catalog.versions.find((v) => v.version === version);
  const upgradeHint = `set kubernetesVersion to ${defaultVersion(catalog, today)} or run \`triton-ops upgrade\``;
  if (!info) {
    const oldest = [...catalog.versions].sort((a, b) => compareMinor(a.version, b.version))[0];
    if (oldest && compareMinor(version, oldest.version) < 0) {
      return {
        ...base,
        phase: "unsupported",
        refused: true,
        message: `Kubernetes ${version} is past the end of EKS extended support (older than ${oldest.version}); EKS refuses clusters on it: ${upgradeHint}.`,
      };
    }
    return {
      ...base,
      phase: "unknown",
      refused: false,
      message: `Kubernetes ${version} is not in the ${catalog.source === "aws" ? "list EKS returned" : `bundled EKS version table (${catalog.asOf})`}; its support dates are unknown.`,
    };
  }
  const phase = phaseOn(info, today);
  if (phase === "unsupported") {
    return {
      ...base,
      phase,
      info,
      refused: true,
      message: `Kubernetes ${version} reached the end of EKS extended support on ${day(info.endOfExtendedSupport)}; EKS refuses new clusters on it and upgrades existing ones by itself: ${upgradeHint}.`,
    };
  }
  if (phase === "extended") {
    const surcharge = monthlyExtendedSurcharge();
    return {
      ...base,
      phase,
      info,
      refused: false,
      monthlySurcharge: surcharge,
      message: `Kubernetes ${version} is in EKS extended support until ${day(info.endOfExtendedSupport)}: $${CLUSTER_HOUR_USD.extended.toFixed(2)} per cluster-hour, about $${surcharge}/month more than standard support ($${monthlyClusterCost("extended")} instead of $${monthlyClusterCost("standard")}); ${upgradeHint}.`,
    };
  }
  return { ...base, phase, info, refused: false };
}

/** A cluster version's phase, end dates and the next minor EKS offers (what status and doctor show). */
export interface VersionSupport {
  version: string;
  phase: SupportPhase | "unknown";
  endOfStandardSupport?: string;
  endOfExtendedSupport?: string;
  source: VersionCatalog["source"];
  asOf: string;
  /** The next minor version EKS offers, the one `triton-ops upgrade` goes to. */
  next?: string;
}

export function versionSupport(catalog: VersionCatalog, version: string, today: string): VersionSupport {
  const verdict = judgeVersion(catalog, version, today);
  const [major, minor] = parseMinor(version) ?? [1, 0];
  const next = catalog.versions.find((v) => compareMinor(v.version, `${major}.${minor + 1}`) === 0)?.version;
  return {
    version,
    phase: verdict.phase,
    ...(verdict.info
      ? {
          endOfStandardSupport: day(verdict.info.endOfStandardSupport),
          endOfExtendedSupport: day(verdict.info.endOfExtendedSupport),
        }
      : {}),
    source: catalog.source,
    asOf: catalog.asOf,
    ...(next ? { next } : {}),
  };
}

/** "Kubernetes 1.34: standard support until 2026-12-02 (from EKS)". */
export function describeSupport(s: VersionSupport): string {
  const from = s.source === "aws" ? "from EKS" : `bundled table of ${s.asOf}`;
  const until =
    s.phase === "standard"
      ? `standard support until ${s.endOfStandardSupport}`
      : s.phase === "extended"
        ? `extended support until ${s.endOfExtendedSupport} (about $${monthlyExtendedSurcharge()}/month more)`
        : s.phase === "unsupported"
          ? `past the end of extended support${s.endOfExtendedSupport ? ` (${s.endOfExtendedSupport})` : ""}`
          : "support dates unknown";
  return `Kubernetes ${s.version}: ${until} (${from})`;
}

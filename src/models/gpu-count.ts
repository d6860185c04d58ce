/**
 * GPUs per instance for the EC2 GPU families the project deploys on, bundled for offline lint.
 * As of 2026-12-01 (EC2 instance type pages for G4dn, G4ad, G5, G6, G6e, P3, P4, P5); new sizes appear over
 * time, so an unknown type gives "unknown" and the GPU-id check becomes a warning, never a guess.
 */
export const GPU_TABLE_DATE = "2026-12-01";

/** G5, G6 and G6e share one size ladder: one GPU up to 16xlarge, four at 12x and 24x, eight at 48x. */
const G_LADDER = {
  xlarge: 1,
  "2xlarge": 1,
  "4xlarge": 1,
  "8xlarge": 1,
  "16xlarge": 1,
  "12xlarge": 4,
  "24xlarge": 4,
  "48xlarge": 8,
};

const BY_SIZE: Record<string, Record<string, number>> = {
  g4dn: { xlarge: 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "16xlarge": 1, "12xlarge": 4, metal: 8 },
  g4ad: { xlarge: 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 2, "16xlarge": 4 },
  g5: G_LADDER,
  g6: G_LADDER,
  g6e: G_LADDER,
  p3: { "2xlarge": 1, "8xlarge": 4, "16xlarge": 8 },
  p3dn: { "24xlarge": 8 },
  p4d: { "24xlarge": 8 },
  p4de: { "24xlarge": 8 },
  p5: { "48xlarge": 8 },
  p5e: { "48xlarge": 8 },
  p5en: { "48xlarge": 8 },
};

/** Every instance type in the bundled table. */
export function bundledGpuTypes(): string[] {
  return Object.entries(BY_SIZE).flatMap(([family, sizes]) =>
    Object.keys(sizes).map((s) => `${family}.${s}`),
  );
}

export function gpusOf(instanceType: string): number | undefined {
  const [family, size] = instanceType.split(".");
  return family && size ? BY_SIZE[family]?.[size] : undefined;
}

/**
 * GPUs a Triton pod can count on: the fewest of any instance type the GPU node group may launch, since
 * the pod can land on any of them. Undefined when any type is not in the table.
 */
export function gpusPerNode(instanceTypes: readonly string[]): number | undefined {
  const counts = instanceTypes.map(gpusOf);
  if (counts.length === 0 || counts.some((c) => c === undefined)) return undefined;
  return Math.min(...(counts as number[]));
}

/** The bundled table is said to be old after this many days (as the bundled prices and EKS versions). */
export const GPU_TABLE_STALE_AFTER_DAYS = 120;

/** What lint needs from AWS (implemented by src/aws/ec2.ts's describeGpuCounts). */
export type LiveGpuCounts = (
  instanceTypes: readonly string[],
) => Promise<{ ok: true; counts: Map<string, number> } | { ok: false; reason: string }>;

export interface GpusPerNodeAnswer {
  /** Undefined when not known for every type: the GPU-id check is then a warning. */
  count: number | undefined;
  /** Where the count comes from, for lint's output. */
  source: string;
  /** Lines to tell the user (an old bundled table, a type nobody knows). */
  notices: string[];
  /** Why the bundled table was used, when it was (for --verbose). */
  fallbackReason?: string;
}

/**
 * GPUs per node for the GPU node group's instance types: EC2's own answer when `live` is given and
 * answers for every type, else the bundled table, which says its date when it is old.
 */
export async function resolveGpusPerNode(
  instanceTypes: readonly string[],
  options: { live?: LiveGpuCounts; today: string; noLiveReason?: string },
): Promise<GpusPerNodeAnswer> {
  const types = instanceTypes.join(", ");
  let fallbackReason = options.noLiveReason ?? "no AWS access configured";
  if (options.live) {
    const answer = await options.live(instanceTypes);
    if (answer.ok && instanceTypes.every((t) => answer.counts.has(t))) {
      const counts = instanceTypes.map((t) => answer.counts.get(t) ?? 0);
      const count = Math.min(...counts);
      if (count > 0)
        return { count, source: `gpu.instanceTypes ${types}, EC2 DescribeInstanceTypes`, notices: [] };
      return {
        count: undefined,
        source: "EC2 DescribeInstanceTypes",
        notices: [
          `EC2 says some of ${types} carry no GPU; check gpu.instanceTypes, or pass --gpus-per-node.`,
        ],
      };
    }
    fallbackReason = answer.ok
      ? `EC2 does not know ${instanceTypes.filter((t) => !answer.counts.has(t)).join(", ")}`
      : answer.reason;
  }
  const notices: string[] = [];
  // Whole days between two YYYY-MM-DD dates (lint loads nothing more than this module needs).
  const age = Math.round((Date.parse(options.today) - Date.parse(GPU_TABLE_DATE)) / 86_400_000);
  if (age > GPU_TABLE_STALE_AFTER_DAYS) {
    notices.push(
      `The bundled table of GPUs per instance type is from ${GPU_TABLE_DATE} (${age} days old); newer sizes may be missing. Upgrade triton-ops, or give it AWS access so it asks EC2.`,
    );
  }
  const count = gpusPerNode(instanceTypes);
  if (count === undefined) {
    notices.push(
      `GPUs per node of ${types} are not in the bundled table (as of ${GPU_TABLE_DATE}); pass --gpus-per-node.`,
    );
  }
  return {
    count,
    source: `gpu.instanceTypes ${types}, table as of ${GPU_TABLE_DATE}`,
    notices,
    fallbackReason,
  };
}

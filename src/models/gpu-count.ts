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

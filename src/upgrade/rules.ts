// Pure decisions of `triton-ops upgrade`: the version path, the kubelet skew, PodDisruptionBudgets that
// block a drain, and the surge a managed node group roll needs. Collectors live in run.ts.
import { compareMinor, parseMinor, type VersionCatalog } from "../config/kubernetes-versions.js";
import { UserError } from "../errors.js";

export type CheckStatus = "pass" | "warn" | "fail" | "unknown";

export interface UpgradeCheck {
  id: string;
  status: CheckStatus;
  summary: string;
  details?: string[];
}

const minor = (v: string): number => parseMinor(v)?.[1] ?? Number.NaN;
const bump = (v: string, by = 1): string => {
  const [major, m] = parseMinor(v) ?? [1, 0];
  return `${major}.${m + by}`;
};

/**
 * The version to go to. EKS moves the control plane one minor version at a time, so a target further
 * away is refused with the path; a downgrade, garbage, or a version EKS does not offer is refused too.
 * Without --to: the next minor, or the control plane's own version when node groups lag behind it.
 */
export function chooseTarget(
  current: string,
  requested: string | undefined,
  catalog: VersionCatalog,
  nodegroupVersions: readonly string[],
): string {
  const known = catalog.versions.map((v) => v.version);
  if (requested === undefined) {
    if (nodegroupVersions.some((v) => compareMinor(v, current) < 0)) return current;
    const next = bump(current);
    if (!known.includes(next)) {
      throw new UserError(
        `Kubernetes ${current} is the newest version EKS offers here; there is nothing to upgrade to.`,
        {
          code: "upgrade.nothing-newer",
        },
      );
    }
    return next;
  }
  const to = requested.trim();
  if (!/^\d+\.\d+$/.test(to)) {
    throw new UserError(
      `--to must be a Kubernetes minor version such as ${bump(current)} (got "${requested}").`,
      {
        code: "upgrade.bad-version",
      },
    );
  }
  if (compareMinor(to, current) < 0) {
    throw new UserError(
      `--to ${to} is older than the cluster's ${current}: EKS cannot downgrade a cluster.`,
      {
        code: "upgrade.downgrade",
      },
    );
  }
  if (!known.includes(to)) {
    throw new UserError(
      `EKS offers no Kubernetes ${to} (${catalog.source === "aws" ? "per DescribeClusterVersions" : `per the bundled table of ${catalog.asOf}`}: ${[...known].sort(compareMinor).join(", ")}).`,
      { code: "upgrade.unknown-version" },
    );
  }
  const steps = minor(to) - minor(current);
  if (steps > 1) {
    const path = Array.from({ length: steps }, (_, i) => bump(current, i + 1));
    throw new UserError(
      `EKS upgrades one minor version at a time: ${[current, ...path].join(" -> ")}; run \`triton-ops upgrade --to ${path[0]}\` first.`,
      { code: "upgrade.skips-minor" },
    );
  }
  return to;
}

/**
 * Kubernetes version skew policy (kubernetes.io/releases/version-skew-policy): a kubelet must not be
 * newer than the API server, and may be up to three minor versions older.
 */
export function kubeletSkewCheck(
  target: string,
  kubelets: ReadonlyArray<{ node: string; version: string }>,
): UpgradeCheck {
  if (kubelets.length === 0)
    return { id: "kubelet-skew", status: "unknown", summary: "no node kubelet versions read" };
  const tooOld = kubelets.filter((k) => minor(target) - minor(k.version) > 3);
  const tooNew = kubelets.filter((k) => minor(k.version) > minor(target));
  const bad = [...tooOld, ...tooNew];
  if (bad.length > 0) {
    return {
      id: "kubelet-skew",
      status: "fail",
      summary: `${bad.length} node(s) would be outside the skew ${target} allows (kubelet at most 3 minors older, never newer)`,
      details: bad.map((k) => `${k.node}: kubelet ${k.version}`),
    };
  }
  return {
    id: "kubelet-skew",
    status: "pass",
    summary: `${kubelets.length} node(s), kubelets ${[...new Set(kubelets.map((k) => k.version))].join(", ")}: within the skew ${target} allows`,
  };
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Kubernetes label-selector semantics (metav1.LabelSelector); an empty selector matches everything. */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    if (e.operator === "In" && !(has && values.includes(value ?? ""))) return false;
    if (e.operator === "NotIn" && has && values.includes(value ?? "")) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

export interface PdbFacts {
  namespace: string;
  name: string;
  selector?: LabelSelector;
  disruptionsAllowed: number | undefined;
}
export interface PodFacts {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  node: string | undefined;
  phase: string | undefined;
}

/**
 * A PodDisruptionBudget that allows no disruption blocks the drain of every node running one of its
 * pods: EKS's node group update then fails with PodEvictionFailure after its 15-minute wait.
 */
export function pdbBlockers(
  pdbs: readonly PdbFacts[],
  pods: readonly PodFacts[],
  nodes?: ReadonlySet<string>,
): Array<{ pdb: string; pods: string[] }> {
  const blockers: Array<{ pdb: string; pods: string[] }> = [];
  for (const pdb of pdbs) {
    if ((pdb.disruptionsAllowed ?? 0) > 0) continue;
    const matched = pods.filter(
      (p) =>
        p.namespace === pdb.namespace &&
        p.phase !== "Succeeded" &&
        p.phase !== "Failed" &&
        (nodes === undefined || (p.node !== undefined && nodes.has(p.node))) &&
        selectorMatches(pdb.selector, p.labels),
    );
    if (matched.length > 0)
      blockers.push({ pdb: `${pdb.namespace}/${pdb.name}`, pods: matched.map((p) => p.name) });
  }
  return blockers;
}

export function pdbCheck(blockers: ReturnType<typeof pdbBlockers>): UpgradeCheck {
  if (blockers.length === 0) {
    return { id: "pdb-blockers", status: "pass", summary: "no PodDisruptionBudget blocks a drain" };
  }
  return {
    id: "pdb-blockers",
    status: "fail",
    summary: `${blockers.length} PodDisruptionBudget(s) allow no disruption and would block the node drain`,
    details: blockers.map((b) => `${b.pdb} (allows 0 disruptions): pods ${b.pods.join(", ")}`),
  };
}

/**
 * Extra nodes a managed node group update launches (EKS User Guide, "Understand each phase of node
 * updates", scale-up phase): the larger of twice its Availability Zones and its max unavailable.
 */
export function surgeNodes(
  azCount: number,
  maxUnavailable: number | undefined,
  maxUnavailablePercentage?: number,
  desired = 0,
): number {
  const unavailable =
    maxUnavailable ??
    (maxUnavailablePercentage !== undefined
      ? Math.max(1, Math.floor((desired * maxUnavailablePercentage) / 100))
      : 1);
  return Math.max(2 * Math.max(azCount, 1), unavailable);
}

// The verify checks as data and pure rules: collectors fetch, these functions decide, so every rule is
// tested over plain objects without a cluster.
import { GPU_SIGNALS_TEXT, gpuAllocatable, gpuNodeMatch, type NodeGroupAmiTypes } from "../k8s/gpu-node.js";
import type { V1Node, V1Pod } from "../k8s/types.js";

export type CheckStatus = "pass" | "fail" | "warn" | "skip";

export interface CheckResult {
  id: string;
  status: CheckStatus;
  summary: string;
  details: string[];
  /** null when there is nothing to do. */
  hint: string | null;
}

export type Verdict = Omit<CheckResult, "id" | "details" | "hint"> & { details?: string[]; hint?: string };

export interface CheckDefinition {
  id: string;
  /** Checks that must pass (or warn) first; otherwise this one is skipped, naming them. */
  needs: readonly string[];
  run(): Promise<Verdict>;
}

export const CHECK_IDS = [
  "aws.identity",
  "cluster.exists",
  "kubeconfig.works",
  "nodes.ready",
  "gpu.visible",
  "pods.running",
  "triton.ready",
  "triton.models",
  "triton.infer",
  "ecr.images",
  "vpc.no-orphans",
  "monitoring.targets",
  "autoscaling.ready",
  "autoscaling.node-template",
] as const;

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => {
    const timer = setTimeout(() => reject(new CheckTimeout(ms)), ms);
    timer.unref();
  });
}

class CheckTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${Math.round(ms / 1000)} s`);
  }
}

function errorVerdict(error: unknown): Verdict {
  const message = error instanceof Error ? error.message : String(error);
  const suggestion = (error as { suggestion?: string } | undefined)?.suggestion;
  return {
    status: "fail",
    summary: error instanceof CheckTimeout ? `timed out: ${message}` : message.split("\n")[0]!,
    ...(suggestion ? { hint: suggestion } : {}),
  };
}

/**
 * Runs every check at once; each waits only for its own prerequisites. A failed or skipped prerequisite
 * makes the check `skip` naming it, rather than a cascade of failures.
 */
export async function runChecks(
  definitions: readonly CheckDefinition[],
  timeoutMs: number,
): Promise<CheckResult[]> {
  const results = new Map<string, Promise<CheckResult>>();
  const byId = new Map(definitions.map((d) => [d.id, d]));
  const start = (definition: CheckDefinition): Promise<CheckResult> => {
    const existing = results.get(definition.id);
    if (existing) return existing;
    const promise = (async (): Promise<CheckResult> => {
      const prerequisites = await Promise.all(
        definition.needs.flatMap((id) => {
          const d = byId.get(id);
          return d ? [start(d)] : [];
        }),
      );
      const blocked = prerequisites.filter((p) => p.status === "fail" || p.status === "skip");
      if (blocked.length > 0) {
        return {
          id: definition.id,
          status: "skip",
          summary: `skipped: ${blocked.map((b) => `${b.id} ${b.status === "fail" ? "failed" : "was skipped"}`).join(", ")}`,
          details: [],
          hint: null,
        };
      }
      let verdict: Verdict;
      try {
        verdict = await Promise.race([definition.run(), timeout(timeoutMs)]);
      } catch (error) {
        verdict = errorVerdict(error);
      }
      return {
        id: definition.id,
        status: verdict.status,
        summary: verdict.summary,
        details: verdict.details ?? [],
        hint: verdict.hint ?? null,
      };
    })();
    results.set(definition.id, promise);
    return promise;
  };
  return Promise.all(definitions.map(start));
}

// ---- rules ---------------------------------------------------------------------------------------------

const MAX_NAMED = 10;

function named(items: string[]): string {
  return items.length > MAX_NAMED
    ? `${items.slice(0, MAX_NAMED).join(", ")} and ${items.length - MAX_NAMED} more`
    : items.join(", ");
}

export function nodeReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

export function nodesVerdict(nodes: readonly V1Node[], expected: number | undefined): Verdict {
  if (nodes.length === 0) {
    return {
      status: "fail",
      summary: "the cluster has no nodes",
      hint: "Apply the gpu-nodes stage and check the node groups in EKS.",
    };
  }
  const notReady = nodes.filter((n) => !nodeReady(n));
  if (notReady.length > 0) {
    return {
      status: "fail",
      summary: `${notReady.length} of ${nodes.length} nodes not Ready: ${named(notReady.map((n) => n.metadata?.name ?? "?"))}`,
      details: notReady.map((n) => {
        const ready = n.status?.conditions?.find((c) => c.type === "Ready");
        return `${n.metadata?.name}: Ready=${ready?.status ?? "Unknown"}${ready?.reason ? ` (${ready.reason}${ready.message ? `: ${ready.message}` : ""})` : ""}`;
      }),
      hint: "Look at the node with `triton-ops doctor` or `kubectl describe node NAME`.",
    };
  }
  if (expected !== undefined && nodes.length < expected) {
    return {
      status: "warn",
      summary: `all ${nodes.length} nodes Ready, but the node groups want ${expected}`,
      hint: "Nodes may still be joining; check the node groups' health in EKS if this lasts.",
    };
  }
  return {
    status: "pass",
    summary: `all ${nodes.length} nodes Ready${expected !== undefined ? ` (node groups want ${expected})` : ""}`,
  };
}

/**
 * GPU nodes are found by the one GPU-node rule (src/k8s/gpu-node.ts); each must advertise allocatable
 * nvidia.com/gpu. The details say which signal made each node a GPU node.
 */
export function gpuVerdict(nodes: readonly V1Node[], amiTypes?: NodeGroupAmiTypes): Verdict {
  const gpuNodes = nodes.flatMap((node) => {
    const match = gpuNodeMatch(node, amiTypes);
    return match ? [{ node, match, name: node.metadata?.name ?? "?" }] : [];
  });
  if (gpuNodes.length === 0) {
    return {
      status: "fail",
      summary: `no GPU node among the ${nodes.length} nodes (looked for ${GPU_SIGNALS_TEXT})`,
      hint: "Check the GPU node group's desired size and its health in EKS.",
    };
  }
  const details = gpuNodes.map(
    ({ node, match, name }) => `${name}: GPU node by ${match.evidence}; allocatable ${gpuAllocatable(node)}`,
  );
  const without = gpuNodes.filter(({ node }) => gpuAllocatable(node) <= 0);
  if (without.length > 0) {
    return {
      status: "fail",
      summary: `${without.length} of ${gpuNodes.length} GPU nodes advertise no allocatable nvidia.com/gpu: ${named(without.map((n) => n.name))}`,
      details,
      hint: "Check the nvidia-device-plugin pods on those nodes (kube-system) and the NVIDIA driver (`triton-ops doctor`).",
    };
  }
  const total = gpuNodes.reduce((sum, { node }) => sum + gpuAllocatable(node), 0);
  return {
    status: "pass",
    summary: `${total} GPU${total === 1 ? "" : "s"} allocatable on ${gpuNodes.length} GPU node${gpuNodes.length === 1 ? "" : "s"}`,
    details,
  };
}

function podProblem(pod: V1Pod): string | undefined {
  const phase = pod.status?.phase ?? "Unknown";
  if (phase === "Succeeded") return undefined;
  const ready = pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  if (phase === "Running" && ready) return undefined;
  const waiting = pod.status?.containerStatuses?.map((c) => c.state?.waiting?.reason).find(Boolean);
  return `${phase}${phase === "Running" ? ", not Ready" : ""}${waiting ? ` (${waiting})` : ""}`;
}

export function podsVerdict(pods: readonly V1Pod[], namespaces: readonly string[]): Verdict {
  if (pods.length === 0) {
    return {
      status: "fail",
      summary: `no pods in ${namespaces.join(", ")}`,
      hint: "Apply the workloads: `triton-ops up --stage workloads`.",
    };
  }
  const bad = pods.flatMap((p) => {
    const problem = podProblem(p);
    return problem ? [`${p.metadata?.namespace}/${p.metadata?.name}: ${problem}`] : [];
  });
  if (bad.length > 0) {
    return {
      status: "fail",
      summary: `${bad.length} of ${pods.length} pods not Running and Ready: ${named(bad.map((b) => b.split(":")[0]!))}`,
      details: bad,
      hint: "See why with `triton-ops doctor` or `kubectl -n NAMESPACE describe pod NAME`.",
    };
  }
  return { status: "pass", summary: `all ${pods.length} pods in ${namespaces.join(", ")} Running and Ready` };
}

interface PromTarget {
  labels?: Record<string, string>;
  scrapePool?: string;
  health?: string;
  lastError?: string;
  scrapeUrl?: string;
}

export const MONITORED_JOBS = ["triton", "dcgm-exporter", "node-exporter"] as const;

export function targetsVerdict(body: string): Verdict {
  let targets: PromTarget[];
  try {
    targets = (JSON.parse(body) as { data?: { activeTargets?: PromTarget[] } }).data?.activeTargets ?? [];
  } catch {
    return { status: "fail", summary: "Prometheus answered /api/v1/targets with something that is not JSON" };
  }
  const problems: string[] = [];
  const pending: string[] = [];
  const details: string[] = [];
  let up = 0;
  for (const job of MONITORED_JOBS) {
    const mine = targets.filter((t) => (t.labels?.job ?? t.scrapePool) === job);
    if (mine.length === 0) {
      problems.push(`${job}: no targets`);
      continue;
    }
    // `unknown` is a target Prometheus has found but not scraped yet (right after a rollout or a node
    // join): not evidence of anything being down, so it warns instead of failing.
    const unscraped = mine.filter((t) => t.health === "unknown");
    const down = mine.filter((t) => t.health !== "up" && t.health !== "unknown");
    up += mine.length - down.length - unscraped.length;
    if (unscraped.length > 0) pending.push(`${job}: ${unscraped.length} of ${mine.length} not scraped yet`);
    if (down.length > 0) problems.push(`${job}: ${down.length} of ${mine.length} down`);
    for (const t of [...down, ...unscraped])
      details.push(
        `${job} ${t.scrapeUrl ?? t.labels?.instance ?? "?"}: ${t.health}${t.lastError ? ` (${t.lastError})` : ""}`,
      );
  }
  if (problems.length > 0) {
    return {
      status: "fail",
      summary: [...problems, ...pending].join("; "),
      details,
      hint: "Check the exporters' pods and Services in the monitoring namespace.",
    };
  }
  if (pending.length > 0) {
    return {
      status: "warn",
      summary: `${up} targets up; ${pending.join("; ")}`,
      details,
      hint: "Prometheus scrapes new targets within a scrape interval (15 s); run verify again in a minute.",
    };
  }
  return { status: "pass", summary: `${up} targets up across ${MONITORED_JOBS.join(", ")}` };
}

interface ReadyStatus {
  status?: { replicas?: number; readyReplicas?: number };
}
interface HpaStatus {
  status?: {
    currentMetrics?: Array<{ pods?: { metric?: { name?: string }; current?: { averageValue?: string } } }>;
  };
}

/** Pure: cluster-autoscaler runs, and (when the config asks for one) the HPA reads a current queue time. */
export function autoscalingVerdict(
  autoscaler: ReadyStatus | undefined,
  hpa: HpaStatus | undefined,
  hpaWanted: boolean,
): Verdict {
  if (!autoscaler) {
    return {
      status: "fail",
      summary: "cluster-autoscaler is not deployed in kube-system, so the GPU pool cannot scale",
      hint: "Apply the workloads stage: `triton-ops up --stage workloads`.",
    };
  }
  const ready = autoscaler.status?.readyReplicas ?? 0;
  if (ready < 1) {
    return {
      status: "fail",
      summary: `cluster-autoscaler has ${ready} of ${autoscaler.status?.replicas ?? 1} replicas ready`,
      hint: "See why with `kubectl -n kube-system logs deploy/cluster-autoscaler` (often its IRSA role).",
    };
  }
  if (!hpaWanted)
    return { status: "pass", summary: "cluster-autoscaler is running (no Triton HPA configured)" };
  if (!hpa) {
    return {
      status: "fail",
      summary: "the Triton HPA (triton/triton) is missing",
      hint: "Apply the workloads stage.",
    };
  }
  const current = hpa.status?.currentMetrics?.find((m) => m.pods?.current?.averageValue !== undefined)?.pods;
  if (!current) {
    return {
      status: "fail",
      summary: "the Triton HPA has no current value for triton_queue_time_per_request_us",
      hint: "Check prometheus-adapter in monitoring and `kubectl get --raw /apis/custom.metrics.k8s.io/v1beta1`.",
    };
  }
  return {
    status: "pass",
    summary: `cluster-autoscaler is running; the Triton HPA reads ${current.metric?.name ?? "its metric"} = ${current.current?.averageValue}`,
  };
}

/**
 * Pure: the GPU Auto Scaling group carries every node-template tag the gpu-nodes stage set, so
 * cluster-autoscaler can scale the pool up from zero nodes.
 */
export function nodeTemplateVerdict(
  group: string,
  expected: Readonly<Record<string, string>>,
  actual: Readonly<Record<string, string>> | undefined,
): Verdict {
  if (!actual) {
    return {
      status: "fail",
      summary: `Auto Scaling group ${group} behind the GPU node group does not exist`,
      hint: "Re-apply the GPU pool: `triton-ops up --stage gpu-nodes`.",
    };
  }
  const wrong = Object.entries(expected).filter(([key, value]) => actual[key] !== value);
  if (wrong.length > 0) {
    return {
      status: "fail",
      summary: `${group} lacks ${wrong.length} node-template tag(s), so the GPU pool cannot scale up from zero`,
      details: wrong.map(([key, value]) => `${key}=${value} (has ${actual[key] ?? "none"})`),
      hint: "Re-apply the GPU pool: `triton-ops up --stage gpu-nodes`.",
    };
  }
  return { status: "pass", summary: `${group} carries ${Object.keys(expected).length} node-template tags` };
}

export function vpcVerdict(
  tagged: ReadonlyArray<{ id: string; name?: string }>,
  inState: readonly string[],
): Verdict {
  const orphans = tagged.filter((v) => !inState.includes(v.id));
  if (orphans.length > 0) {
    return {
      status: "fail",
      summary: `${orphans.length} VPC(s) tagged for the project are not in state: ${named(orphans.map((v) => (v.name ? `${v.id} (${v.name})` : v.id)))}`,
      hint: "They cost money and may block quotas: review them with `triton-ops orphan-scan`.",
    };
  }
  return {
    status: "pass",
    summary:
      inState.length > 0
        ? `only the project's VPC ${inState.join(", ")} is tagged for it`
        : "no VPC tagged for the project",
  };
}

/**
 * Pure parsers for the text Kubernetes and containerd put in events and conditions (Kubernetes 1.28-1.33).
 * They never throw: text they do not recognise comes back as "other" so a rule can still show it.
 */

// ---------------------------------------------------------------- FailedScheduling

export type SchedulingReasonKind =
  | "insufficient"
  | "taint"
  | "selector"
  | "pvc"
  | "pod-limit"
  | "unschedulable"
  | "other";

export interface SchedulingReason {
  /** How many nodes gave this reason. */
  count: number;
  kind: SchedulingReasonKind;
  /** insufficient: the resource (cpu, memory, nvidia.com/gpu); taint: the taint text; else the clause. */
  detail: string;
}

export interface FailedScheduling {
  /** Nodes the scheduler considered ("0/3 nodes": 3); 0 when there were none; undefined if not said. */
  totalNodes: number | undefined;
  reasons: SchedulingReason[];
}

const AVAILABLE = /^(\d+)\/(\d+) nodes are available(?::\s*(.*))?$/s;

/** Parses a FailedScheduling event message, old and new wordings alike. */
export function parseFailedScheduling(message: string): FailedScheduling {
  // Since 1.24 the scheduler appends its preemption verdict; it repeats the counts, so drop it.
  const main = (message.split(/\s*preemption:/)[0] ?? message).trim().replace(/\.$/, "");
  if (/^no nodes available to schedule pods/i.test(main)) return { totalNodes: 0, reasons: [] };
  const m = AVAILABLE.exec(main);
  if (!m) {
    // Older releases emit a bare reason ("pod has unbound immediate PersistentVolumeClaims").
    return { totalNodes: undefined, reasons: main ? [classifyClause(1, main)] : [] };
  }
  const total = Number(m[2]);
  const list = (m[3] ?? "").trim();
  if (list === "") return { totalNodes: total, reasons: [] };
  // Split only before "<count> ", so "had taint {k: v}, that the pod didn't tolerate" stays whole.
  const reasons = list
    .split(/,\s*(?=\d+\s)/)
    .map((clause) => clause.trim().replace(/\.$/, ""))
    .filter((clause) => clause.length > 0)
    .map((clause) => {
      const c = /^(\d+)\s+(.*)$/s.exec(clause);
      return c ? classifyClause(Number(c[1]), c[2] ?? "") : classifyClause(1, clause);
    });
  return { totalNodes: total, reasons };
}

function classifyClause(count: number, text: string): SchedulingReason {
  const insufficient = /^Insufficient\s+(\S+)/.exec(text);
  if (insufficient) return { count, kind: "insufficient", detail: insufficient[1] ?? "" };
  const taint = /had (?:untolerated )?taints? (\{[^}]*\})/.exec(text);
  if (taint) return { count, kind: "taint", detail: taint[1] ?? "" };
  if (/didn't match (?:Pod's )?node (?:affinity|selector)|node\(s\) didn't match node selector/i.test(text)) {
    return { count, kind: "selector", detail: text };
  }
  if (/unbound immediate PersistentVolumeClaims|persistentvolumeclaim "[^"]+" not found/i.test(text)) {
    return { count, kind: "pvc", detail: text };
  }
  if (/^Too many pods/i.test(text)) return { count, kind: "pod-limit", detail: text };
  if (/were unschedulable/.test(text)) return { count, kind: "unschedulable", detail: text };
  return { count, kind: "other", detail: text };
}

/** Parses a taint as the scheduler prints it: `{key: value}` or `{key: }`. */
export function parseTaintText(text: string): { key: string; value: string } | undefined {
  const m = /^\{\s*([^:}]+):\s*([^}]*)\}$/.exec(text.trim());
  if (!m) return undefined;
  return { key: (m[1] ?? "").trim(), value: (m[2] ?? "").trim() };
}

// ---------------------------------------------------------------- image references

export interface ImageRef {
  /** Registry host, docker.io when the name has none. */
  registry: string;
  /** Repository path inside the registry (library/nginx on Docker Hub). */
  repository: string;
  tag?: string;
  digest?: string;
  /** Set for Amazon ECR private registries. */
  ecr?: { accountId: string; region: string };
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\d+)?$/;
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** Parses `[registry/]repo[:tag][@digest]` as containerd does; undefined when it is not a valid reference. */
export function parseImageRef(reference: string): ImageRef | undefined {
  if (reference.length === 0 || reference.length > 4096 || /\s/.test(reference)) return undefined;
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  const parts = rest.split("/");
  let registry = "docker.io";
  const first = parts[0] ?? "";
  if (parts.length > 1 && (first.includes(".") || first.includes(":") || first === "localhost")) {
    registry = first;
    parts.shift();
    if (!HOST.test(registry)) return undefined;
  }
  if (parts.length === 0 || !parts.every((p) => COMPONENT.test(p))) return undefined;
  if (registry === "docker.io" && parts.length === 1) parts.unshift("library");
  const ecr = ECR_HOST.exec(registry);
  return {
    registry,
    repository: parts.join("/"),
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    ...(ecr ? { ecr: { accountId: ecr[1] ?? "", region: ecr[2] ?? "" } } : {}),
  };
}

/** The canonical full form of a reference (registry always present). */
export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/** The tag a pull asks for: the digest wins, else the tag, else latest. */
export function requestedVersion(ref: ImageRef): { tag?: string; digest?: string } {
  if (ref.digest) return { digest: ref.digest };
  return { tag: ref.tag ?? "latest" };
}

// ---------------------------------------------------------------- pull errors

export type PullErrorKind =
  | "not-found"
  | "repo-missing"
  | "tag-missing"
  | "unauthorized"
  | "rate-limited"
  | "invalid-name"
  | "other";

/**
 * Classifies a kubelet/containerd pull failure from a container's waiting reason and message or a
 * Failed event. ECR answers "not found" for both a missing repository and a missing tag, so
 * "not-found" is narrowed later with ECR's own answer.
 */
export function classifyPullError(reason: string | undefined, message: string): PullErrorKind {
  if (
    reason === "InvalidImageName" ||
    /invalid reference format|couldn't parse image reference/i.test(message)
  ) {
    return "invalid-name";
  }
  if (/toomanyrequests|429 Too Many Requests|pull rate limit/i.test(message)) return "rate-limited";
  if (/does not exist in the registry|repository .* not found|name unknown/i.test(message))
    return "repo-missing";
  if (/manifest unknown|requested image not found|manifest for .* not found/i.test(message)) {
    return "tag-missing";
  }
  if (
    /401 Unauthorized|403 Forbidden|no basic auth credentials|authorization failed|failed to authorize|pull access denied|denied: /i.test(
      message,
    )
  ) {
    return "unauthorized";
  }
  if (/(?:^|[:\s])not found\s*$|code = NotFound|: not found/i.test(message)) return "not-found";
  return "other";
}

// ---------------------------------------------------------------- node conditions

export type NotReadyKind = "kubelet" | "cni" | "runtime" | "other";

/** Why a node's Ready condition is not True, from its status, reason and message. */
export function classifyNotReady(
  status: string,
  reason: string | undefined,
  message: string | undefined,
): NotReadyKind {
  const text = `${reason ?? ""} ${message ?? ""}`;
  if (
    status === "Unknown" ||
    /NodeStatusUnknown|Kubelet stopped posting node status|Kubelet never posted/i.test(text)
  ) {
    return "kubelet";
  }
  if (
    /NetworkPluginNotReady|cni plugin not initialized|cni config uninitialized|NetworkReady=false|network plugin is not ready/i.test(
      text,
    )
  ) {
    return "cni";
  }
  if (
    /container runtime|PLEG is not healthy|ContainerRuntimeUnhealthy|RuntimeReady=false|runtime is down/i.test(
      text,
    )
  ) {
    return "runtime";
  }
  return "other";
}

/** The pressure conditions kubelet sets; any other condition type is not ours to judge. */
export const PRESSURE_CONDITIONS = ["MemoryPressure", "DiskPressure", "PIDPressure"] as const;

/** "v1.31.4-eks-1234" or "1.31" -> {major: 1, minor: 31}. */
export function parseMinorVersion(version: string): { major: number; minor: number } | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

// ---------------------------------------------------------------- durations

/** "90s", "15m", "2h", "1d", "1h30m" -> milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const unit: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  if (!/^(\d+[smhd])+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+)([smhd])/g)) total += Number(m[1]) * (unit[m[2] ?? "s"] ?? 0);
  return total > 0 ? total : undefined;
}

import type { CoreV1Event, V1DaemonSet, V1Node, V1Pod } from "@kubernetes/client-node";
import { GPU_RESOURCE, type GpuNodeMatch, gpuNodeMatch } from "../../k8s/gpu-node.js";
import { type ClusterSnapshot, eventKey, eventTime, isKnown, type KubeSnapshot } from "../snapshot.js";

export interface RuleOptions {
  /** Only pods in this namespace (nodes and AWS are still checked). */
  namespace?: string;
  /** Only events newer than this many ms before the snapshot. */
  sinceMs?: number;
}

/** Indexes built once per run so every rule looks things up in O(1). */
export interface RuleContext {
  snapshot: ClusterSnapshot;
  kube: KubeSnapshot | undefined;
  options: RuleOptions;
  nodes: Map<string, V1Node>;
  /** Pods in scope (namespace filter applied). */
  pods: V1Pod[];
  /** Every pod by node name, whatever its namespace: for GPU and IP accounting. */
  podsByNode: Map<string, V1Pod[]>;
  region: string;
  clusterName: string;
  events(kind: string, namespace: string | undefined, name: string): CoreV1Event[];
  /** DaemonSets whose name contains the fragment, any namespace. */
  daemonSets(nameFragment: RegExp): V1DaemonSet[];
  /** The pod a DaemonSet runs on a node, if any. */
  daemonPodOn(ds: V1DaemonSet, node: string): V1Pod | undefined;
  /** Why a node is a GPU node (the one rule, src/k8s/gpu-node.ts, with the node groups' AMI types when known). */
  gpuNode(node: V1Node): GpuNodeMatch | undefined;
}

export function buildContext(snapshot: ClusterSnapshot, options: RuleOptions = {}): RuleContext {
  const kube = "unreachable" in snapshot.kubernetes ? undefined : snapshot.kubernetes;
  const now = new Date(snapshot.collectedAt).getTime();
  const nodes = new Map((kube?.nodes ?? []).map((n) => [n.metadata?.name ?? "", n]));
  const podsByNode = new Map<string, V1Pod[]>();
  for (const pod of kube?.pods ?? []) {
    const node = pod.spec?.nodeName;
    if (!node) continue;
    const list = podsByNode.get(node);
    if (list) list.push(pod);
    else podsByNode.set(node, [pod]);
  }
  const pods = (kube?.pods ?? []).filter(
    (p) => options.namespace === undefined || p.metadata?.namespace === options.namespace,
  );
  const cluster = snapshot.aws.cluster;
  const groups = snapshot.aws.nodeGroups;
  const amiTypes = new Map(
    (isKnown(groups) ? groups : []).flatMap((g) => (g.amiType ? [[g.name, g.amiType] as const] : [])),
  );
  return {
    snapshot,
    kube,
    options,
    nodes,
    pods,
    podsByNode,
    region: snapshot.aws.region,
    clusterName: snapshot.project?.clusterName ?? (isKnown(cluster) ? cluster.name : "CLUSTER"),
    events(kind, namespace, name) {
      const list = kube?.events[eventKey(kind, namespace, name)] ?? [];
      if (options.sinceMs === undefined) return list;
      return list.filter((e) => now - eventTime(e) <= (options.sinceMs ?? 0));
    },
    daemonSets(fragment) {
      return (kube?.daemonSets ?? []).filter((d) => fragment.test(d.metadata?.name ?? ""));
    },
    daemonPodOn(ds, node) {
      const uid = ds.metadata?.uid;
      const name = ds.metadata?.name;
      return (podsByNode.get(node) ?? []).find((p) =>
        (p.metadata?.ownerReferences ?? []).some(
          (o) => o.kind === "DaemonSet" && (uid ? o.uid === uid : o.name === name),
        ),
      );
    },
    gpuNode: (node) => gpuNodeMatch(node, amiTypes),
  };
}

export function podResource(pod: V1Pod): string {
  return `Pod/${pod.metadata?.namespace ?? "default"}/${pod.metadata?.name ?? "?"}`;
}

export function podRef(pod: V1Pod): string {
  return `-n ${pod.metadata?.namespace ?? "default"} ${pod.metadata?.name ?? "?"}`;
}

/** `aws:///us-east-1a/i-0abc` -> `i-0abc`. */
export function instanceIdOf(node: V1Node): string | undefined {
  const m = /\/(i-[0-9a-f]+)$/.exec(node.spec?.providerID ?? "");
  return m?.[1];
}

/** An event as one evidence line, verbatim message. */
export function eventLine(e: CoreV1Event): string {
  const count = e.series?.count ?? e.count;
  return `event ${e.type ?? "Normal"} ${e.reason ?? ""}${count && count > 1 ? ` (x${count})` : ""}: ${(e.message ?? "").trim()}`;
}

export function conditionLine(c: {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}): string {
  return `condition ${c.type}=${c.status}${c.reason ? ` reason=${c.reason}` : ""}${c.message ? `: ${c.message.trim()}` : ""}`;
}

/** Is the pod's DaemonSet pod running and ready? Text for evidence. */
export function daemonPodState(pod: V1Pod | undefined): { ok: boolean; text: string } {
  if (!pod) return { ok: false, text: "no pod on this node" };
  const phase = pod.status?.phase ?? "Unknown";
  const waiting = (pod.status?.containerStatuses ?? []).find((c) => c.state?.waiting)?.state?.waiting?.reason;
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
  return {
    ok: phase === "Running" && ready,
    text: `pod ${pod.metadata?.namespace}/${pod.metadata?.name} ${phase}${waiting ? ` (${waiting})` : ""}${ready ? ", ready" : ", not ready"}`,
  };
}

export function isReady(node: V1Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** GPUs requested by a pod (the larger of its containers' sum and its largest init container). */
export function podGpuRequest(pod: V1Pod): number {
  const sum = (pod.spec?.containers ?? []).reduce(
    (n, c) =>
      n + (Number(c.resources?.limits?.[GPU_RESOURCE] ?? c.resources?.requests?.[GPU_RESOURCE] ?? 0) || 0),
    0,
  );
  const init = Math.max(
    0,
    ...(pod.spec?.initContainers ?? []).map(
      (c) => Number(c.resources?.limits?.[GPU_RESOURCE] ?? c.resources?.requests?.[GPU_RESOURCE] ?? 0) || 0,
    ),
  );
  return Math.max(sum, init);
}

export function isTerminated(pod: V1Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

export function ssmFix(instanceId: string | undefined, region: string): string {
  return `aws ssm start-session --target ${instanceId ?? "INSTANCE_ID"} --region ${region}`;
}

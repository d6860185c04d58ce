import type { V1Pod } from "@kubernetes/client-node";
import { GPU_RESOURCE, gpuAllocatable } from "../../k8s/gpu-node.js";
import type { Finding } from "../finding.js";
import {
  type FailedScheduling,
  parseFailedScheduling,
  parseTaintText,
  type SchedulingReason,
} from "../parse.js";
import { isKnown } from "../snapshot.js";
import { eventLine, isTerminated, podGpuRequest, podRef, podResource, type RuleContext } from "./context.js";

/** Pending pods: every reason the scheduler gave becomes its own finding (one pod, several causes). */
export function pendingRule(ctx: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const pod of ctx.pods) {
    if (pod.status?.phase !== "Pending" || pod.spec?.nodeName) continue;
    const ns = pod.metadata?.namespace;
    const name = pod.metadata?.name ?? "?";
    const scheduled = (pod.status?.conditions ?? []).find((c) => c.type === "PodScheduled");
    const event = ctx
      .events("Pod", ns, name)
      .filter((e) => e.reason === "FailedScheduling")
      .at(-1);
    const message = event?.message ?? (scheduled?.status === "False" ? scheduled.message : undefined);
    if (!message) continue;
    const parsed = parseFailedScheduling(message);
    const line = event
      ? eventLine(event)
      : `condition PodScheduled=False reason=${scheduled?.reason}: ${message}`;
    if (parsed.totalNodes === 0) {
      findings.push(noNodes(ctx, pod, line));
      continue;
    }
    const seen = new Set<string>();
    for (const reason of parsed.reasons.filter((r) => isBlocker(ctx, pod, r, parsed))) {
      const f = forReason(ctx, pod, reason, parsed, line);
      if (f && !seen.has(`${f.code}|${f.summary}`)) {
        seen.add(`${f.code}|${f.summary}`);
        findings.push(f);
      }
    }
  }
  return findings;
}

/**
 * The scheduler gives a reason for every node, including nodes the pod is meant to avoid (system nodes
 * for a GPU pod, the tainted GPU node for a CPU pod). Only reasons that really block the pod are reported.
 */
function isBlocker(
  ctx: RuleContext,
  pod: V1Pod,
  reason: SchedulingReason,
  parsed: FailedScheduling,
): boolean {
  const only = parsed.reasons.length === 1;
  switch (reason.kind) {
    case "insufficient": {
      if (reason.detail !== GPU_RESOURCE) return true;
      // Nodes without GPUs answer "Insufficient nvidia.com/gpu" too; it blocks only if no GPU is free.
      const nodes = [...ctx.nodes.values()];
      const total = nodes.reduce((n, node) => n + gpuAllocatable(node), 0);
      const used = nodes.reduce(
        (n, node) =>
          n +
          (ctx.podsByNode.get(node.metadata?.name ?? "") ?? []).reduce(
            (m, p) => m + (isTerminated(p) ? 0 : podGpuRequest(p)),
            0,
          ),
        0,
      );
      return only || total === 0 || total - used < Math.max(1, podGpuRequest(pod));
    }
    case "taint": {
      const taint = parseTaintText(reason.detail);
      if (taint?.key === GPU_RESOURCE && podGpuRequest(pod) === 0 && !only) return false;
      return true;
    }
    case "selector": {
      const selector = Object.entries(pod.spec?.nodeSelector ?? {});
      if (only || selector.length === 0) return true;
      return ![...ctx.nodes.values()].some((n) => selector.every(([k, v]) => n.metadata?.labels?.[k] === v));
    }
    default:
      return true;
  }
}

function noNodes(ctx: RuleContext, pod: V1Pod, line: string): Finding {
  const evidence = [line];
  const groups = ctx.snapshot.aws.nodeGroups;
  if (isKnown(groups)) {
    for (const g of groups) {
      evidence.push(
        `node group ${g.name}: ${g.status}, desired size ${g.desiredSize}${g.issues.length ? `, ${g.issues.map((i) => i.code).join(", ")}` : ""}`,
      );
    }
  }
  return {
    code: "pod.pending.no-nodes",
    severity: "error",
    resource: podResource(pod),
    summary: `Pod ${pod.metadata?.name} cannot be scheduled: the cluster has no nodes.`,
    evidence,
    cause:
      "No node has joined the cluster: the node groups are absent, scaled to zero, or their instances failed to join (see node.not-joined).",
    fix: [
      "kubectl get nodes",
      `aws eks list-nodegroups --cluster-name ${ctx.clusterName} --region ${ctx.region}`,
      "triton-ops up --stage gpu-nodes",
    ],
  };
}

function forReason(
  ctx: RuleContext,
  pod: V1Pod,
  reason: SchedulingReason,
  parsed: FailedScheduling,
  line: string,
): Finding | undefined {
  const resource = podResource(pod);
  const name = pod.metadata?.name ?? "?";
  const of = `${reason.count} of ${parsed.totalNodes ?? "?"} node(s)`;
  switch (reason.kind) {
    case "insufficient":
      return insufficient(ctx, pod, reason, of, line);
    case "taint": {
      const taint = parseTaintText(reason.detail);
      const nodeHealth =
        taint &&
        /^node\.kubernetes\.io\/(not-ready|unreachable|memory-pressure|disk-pressure|pid-pressure|unschedulable)$/.test(
          taint.key,
        );
      const matching = [...ctx.nodes.values()]
        .filter((n) => (n.spec?.taints ?? []).some((t) => t.key === taint?.key))
        .map((n) => n.metadata?.name);
      return {
        code: "pod.pending.taint",
        severity: "error",
        resource,
        summary: `Pod ${name} does not tolerate taint ${reason.detail} on ${of}.`,
        evidence: [
          line,
          ...(matching.length
            ? [
                `nodes with taint ${taint?.key}: ${matching.slice(0, 5).join(", ")}${matching.length > 5 ? ", ..." : ""}`,
              ]
            : []),
        ],
        cause: nodeHealth
          ? `The taint is set by Kubernetes on unhealthy nodes (${taint?.key}); the node problem comes first (see the node findings).`
          : `The nodes carry ${reason.detail} and the pod has no matching toleration${taint?.key === "nvidia.com/gpu" ? " (GPU nodes are tainted so only GPU workloads land there)" : ""}.`,
        fix: nodeHealth
          ? ["kubectl get nodes", `kubectl describe node ${matching[0] ?? "NODE"}`]
          : [
              `kubectl get pod ${podRef(pod)} -o jsonpath='{.spec.tolerations}'`,
              `add to the pod spec: tolerations: [{key: "${taint?.key ?? "KEY"}", operator: "Exists", effect: "NoSchedule"}]`,
            ],
      };
    }
    case "selector": {
      const selector = pod.spec?.nodeSelector ?? {};
      const text = Object.entries(selector)
        .map(([k, v]) => `${k}=${v}`)
        .join(",");
      const matchingNodes = [...ctx.nodes.values()].filter((n) =>
        Object.entries(selector).every(([k, v]) => n.metadata?.labels?.[k] === v),
      );
      return {
        code: "pod.pending.selector",
        severity: "error",
        resource,
        summary: `Pod ${name}: ${of} do not match its node selector/affinity${text ? ` (${text})` : ""}.`,
        evidence: [
          line,
          text ? `nodes labelled ${text}: ${matchingNodes.length}` : "pod uses node affinity rules",
        ],
        cause:
          text && matchingNodes.length === 0
            ? `No node carries ${text}: the node group meant for this pod is absent or labelled differently.`
            : "The pod's nodeSelector or required node affinity excludes the nodes that have room.",
        fix: [
          `kubectl get nodes -L ${Object.keys(selector)[0] ?? "triton-ops/pool"}`,
          `kubectl get pod ${podRef(pod)} -o jsonpath='{.spec.nodeSelector}{.spec.affinity}'`,
          "triton-ops up --stage gpu-nodes  # GPU nodes carry nvidia.com/gpu.present=true and triton-ops/pool=gpu",
        ],
      };
    }
    case "pvc":
      return pvcFinding(ctx, pod, line);
    case "pod-limit":
      return {
        code: "pod.pending.pod-limit",
        severity: "error",
        resource,
        summary: `Pod ${name}: ${of} are at their pod limit (Too many pods).`,
        evidence: [line, ...maxPodsLines(ctx)],
        cause:
          "Each node accepts a fixed number of pods (max-pods, set by the VPC CNI's IPs per ENI); every slot is taken.",
        fix: [
          "kubectl get nodes -o custom-columns=NAME:.metadata.name,PODS:.status.allocatable.pods",
          `aws eks update-nodegroup-config --cluster-name ${ctx.clusterName} --nodegroup-name NODEGROUP --scaling-config desiredSize=N --region ${ctx.region}`,
          "enable prefix delegation: kubectl -n kube-system set env daemonset aws-node ENABLE_PREFIX_DELEGATION=true",
        ],
      };
    default:
      return undefined;
  }
}

function maxPodsLines(ctx: RuleContext): string[] {
  return [...ctx.nodes.values()]
    .slice(0, 3)
    .map(
      (n) =>
        `node ${n.metadata?.name}: allocatable pods ${n.status?.allocatable?.pods ?? "?"}, running ${(ctx.podsByNode.get(n.metadata?.name ?? "") ?? []).filter((p) => !isTerminated(p)).length}`,
    );
}

function insufficient(
  ctx: RuleContext,
  pod: V1Pod,
  reason: SchedulingReason,
  of: string,
  line: string,
): Finding {
  const name = pod.metadata?.name ?? "?";
  const resource = reason.detail;
  const evidence = [line];
  let cause: string;
  let summary = `Pod ${name}: ${of} have insufficient ${resource}.`;
  const fix: string[] = [];
  if (resource === GPU_RESOURCE) {
    const nodes = [...ctx.nodes.values()];
    const total = nodes.reduce((n, node) => n + gpuAllocatable(node), 0);
    const gpuNodes = nodes.filter((n) => ctx.gpuNode(n));
    if (total === 0) {
      summary = `Pod ${name} needs ${GPU_RESOURCE}, and no node advertises any.`;
      evidence.push(
        `allocatable ${GPU_RESOURCE} across ${nodes.length} node(s): 0; GPU nodes: ${gpuNodes.length}`,
      );
      cause = gpuNodes.length
        ? "The GPU nodes advertise no GPUs: the NVIDIA device plugin is missing or not running there (see gpu.not-visible)."
        : "There are no GPU nodes: the GPU node group is absent, scaled to zero, or its nodes did not join.";
      fix.push(
        `kubectl get nodes -L node.kubernetes.io/instance-type -o custom-columns=NAME:.metadata.name,GPU:.status.allocatable.nvidia\\.com/gpu`,
        gpuNodes.length ? "kubectl get daemonsets -A | grep -i nvidia" : "triton-ops up --stage gpu-nodes",
      );
    } else {
      const used: string[] = [];
      let inUse = 0;
      for (const node of nodes) {
        for (const p of ctx.podsByNode.get(node.metadata?.name ?? "") ?? []) {
          const g = isTerminated(p) ? 0 : podGpuRequest(p);
          if (g > 0) {
            inUse += g;
            used.push(`${p.metadata?.namespace}/${p.metadata?.name} (${g})`);
          }
        }
      }
      const want = podGpuRequest(pod);
      summary =
        inUse >= total
          ? `Pod ${name} needs ${want} ${GPU_RESOURCE}; all ${total} GPU(s) in the cluster are in use.`
          : `Pod ${name} needs ${want} ${GPU_RESOURCE}; ${total - inUse} of ${total} are free, but not ${want} on one node.`;
      evidence.push(`allocatable ${GPU_RESOURCE}: ${total}, requested by running pods: ${inUse}`);
      if (used.length)
        evidence.push(`GPU pods: ${used.slice(0, 5).join(", ")}${used.length > 5 ? ", ..." : ""}`);
      cause =
        inUse >= total
          ? "Every advertised GPU is held by another pod."
          : "Free GPUs are spread over nodes; no single node has as many as the pod asks for.";
      fix.push(
        "kubectl get pods -A -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name,NODE:.spec.nodeName,GPU:.spec.containers[*].resources.limits.nvidia\\.com/gpu",
        `aws eks update-nodegroup-config --cluster-name ${ctx.clusterName} --nodegroup-name ${ctx.snapshot.project?.gpuNodeGroupName ?? "GPU_NODEGROUP"} --scaling-config desiredSize=N --region ${ctx.region}`,
        "or raise gpu.desiredSize/maxSize in triton-ops.yaml and run triton-ops up --stage gpu-nodes",
      );
    }
  } else {
    const requests = (pod.spec?.containers ?? [])
      .map((c) => c.resources?.requests?.[resource])
      .filter(Boolean);
    evidence.push(`pod requests ${resource}: ${requests.join(" + ") || "?"}`);
    const alloc = [...ctx.nodes.values()]
      .slice(0, 3)
      .map((n) => `${n.metadata?.name}=${n.status?.allocatable?.[resource] ?? "?"}`);
    if (alloc.length) evidence.push(`allocatable ${resource}: ${alloc.join(", ")}`);
    cause = `The pod requests more ${resource} than any node has left after the pods already there.`;
    fix.push(
      "kubectl describe nodes | grep -A8 'Allocated resources'",
      `lower the pod's ${resource} request, or add nodes / a larger instance type`,
    );
  }
  return {
    code: "pod.pending.insufficient",
    severity: "error",
    resource: podResource(pod),
    summary,
    evidence,
    cause,
    fix,
  };
}

function pvcFinding(ctx: RuleContext, pod: V1Pod, line: string): Finding {
  const ns = pod.metadata?.namespace ?? "default";
  const claims = (pod.spec?.volumes ?? [])
    .map((v) => v.persistentVolumeClaim?.claimName)
    .filter((c): c is string => Boolean(c));
  const pvcs = ctx.kube?.pvcs ?? [];
  const unbound = claims.filter((c) => {
    const pvc = pvcs.find((p) => p.metadata?.namespace === ns && p.metadata?.name === c);
    return pvc?.status?.phase !== "Bound";
  });
  const claim = unbound[0] ?? claims[0];
  const pvc = pvcs.find((p) => p.metadata?.namespace === ns && p.metadata?.name === claim);
  const evidence = [line];
  if (claim && !pvc) evidence.push(`PersistentVolumeClaim ${ns}/${claim} does not exist`);
  if (pvc) {
    evidence.push(
      `PersistentVolumeClaim ${ns}/${claim}: ${pvc.status?.phase ?? "Pending"}, storageClassName=${pvc.spec?.storageClassName ?? "(default)"}`,
    );
    for (const e of ctx.events("PersistentVolumeClaim", ns, claim ?? "").slice(-2))
      evidence.push(eventLine(e));
  }
  const noProvisioner = evidence.some((l) =>
    /ProvisioningFailed|waiting for a volume to be created|ebs\.csi\.aws\.com/.test(l),
  );
  return {
    code: "pod.pending.pvc",
    severity: "error",
    resource: claim ? `PersistentVolumeClaim/${ns}/${claim}` : podResource(pod),
    summary: `Pod ${pod.metadata?.name} waits for PersistentVolumeClaim ${claim ?? "?"}, which is not bound.`,
    evidence,
    cause: !pvc
      ? "The pod names a claim that does not exist."
      : noProvisioner
        ? "No volume gets provisioned: the EBS CSI driver add-on is missing or lacks IAM permissions, or the storage class is wrong."
        : "The claim has no matching volume and no provisioner created one (no default StorageClass, or a class with no provisioner).",
    fix: [
      `kubectl -n ${ns} describe pvc ${claim ?? "CLAIM"}`,
      "kubectl get storageclass",
      `aws eks describe-addon --cluster-name ${ctx.clusterName} --addon-name aws-ebs-csi-driver --region ${ctx.region}`,
    ],
  };
}

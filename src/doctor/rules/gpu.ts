import { GPU_RESOURCE, gpuAllocatable, instanceTypeOf } from "../../k8s/gpu-node.js";
import type { Finding } from "../finding.js";
import { daemonPodState, instanceIdOf, isReady, type RuleContext, ssmFix } from "./context.js";

const DEVICE_PLUGIN = /nvidia-device-plugin|nvidia-gpu-device-plugin|gpu-operator-.*device-plugin/;

/** A GPU node (by the one GPU-node rule) that advertises no nvidia.com/gpu, tied to the device plugin. */
export function gpuNotVisibleRule(ctx: RuleContext): Finding[] {
  const findings: Finding[] = [];
  const plugins = ctx.daemonSets(DEVICE_PLUGIN);
  for (const node of ctx.nodes.values()) {
    // A NotReady node is reported by its own rule; its allocatable is not meaningful.
    const match = ctx.gpuNode(node);
    if (!match || !isReady(node) || gpuAllocatable(node) > 0) continue;
    const name = node.metadata?.name ?? "?";
    const labels = node.metadata?.labels ?? {};
    const type = instanceTypeOf(node) ?? "unknown type";
    const evidence = [
      `node ${name}: instance type ${type}${labels["triton-ops/pool"] ? `, triton-ops/pool=${labels["triton-ops/pool"]}` : ""}`,
      `GPU node by ${match.evidence}`,
      `allocatable ${GPU_RESOURCE}: ${node.status?.allocatable?.[GPU_RESOURCE] ?? "absent"}`,
    ];
    let cause: string;
    if (plugins.length === 0) {
      evidence.push("no NVIDIA device plugin DaemonSet in the cluster");
      cause = "The NVIDIA device plugin is not installed, so the kubelet never learns about the GPUs.";
    } else {
      const ds = plugins[0];
      const state = ds ? daemonPodState(ctx.daemonPodOn(ds, name)) : undefined;
      evidence.push(`DaemonSet ${ds?.metadata?.namespace}/${ds?.metadata?.name}: ${state?.text}`);
      cause = state?.ok
        ? "The device plugin runs here but registered no GPU: the NVIDIA driver or container toolkit on the AMI is missing or broken (use the AL2023 NVIDIA AMI)."
        : "The device plugin has no running pod on this node: it does not tolerate the node's taint, its node selector excludes the node, or its pod is failing.";
    }
    const ds = plugins[0];
    findings.push({
      code: "gpu.not-visible",
      severity: "error",
      resource: `Node/${name}`,
      summary: `GPU node ${name} advertises no ${GPU_RESOURCE}; GPU pods cannot be scheduled on it.`,
      evidence,
      cause,
      fix: ds
        ? [
            `kubectl -n ${ds.metadata?.namespace} get pods -o wide --field-selector spec.nodeName=${name}`,
            `kubectl -n ${ds.metadata?.namespace} describe daemonset ${ds.metadata?.name}`,
            `kubectl -n ${ds.metadata?.namespace} logs daemonset/${ds.metadata?.name} --tail=50`,
            `${ssmFix(instanceIdOf(node), ctx.region)}  # then: nvidia-smi`,
          ]
        : [
            "triton-ops up --stage workloads  # installs the NVIDIA device plugin",
            `kubectl describe node ${name}`,
          ],
    });
  }
  return findings;
}

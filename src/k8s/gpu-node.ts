// The one rule for "this node is a GPU node", shared by verify (gpu.visible) and doctor (gpu.not-visible,
// unschedulable GPU pods). A pure function over the Node object and, when the caller has them, the EKS
// node groups' AMI types: a cluster checked without a project config, or whose GPU node group was made
// elsewhere, carries none of triton-ops' own labels, so every signal a real EKS GPU node gives counts.
import type { V1Node } from "./types.js";

export const GPU_RESOURCE = "nvidia.com/gpu";
/** Node label the gpu-nodes stack puts on the GPU pool (terraform/stacks/gpu-nodes). */
export const GPU_POOL_LABEL = "triton-ops/pool";
export const GPU_POOL_VALUE = "gpu";
/** The node group label EKS managed node groups put on their nodes. */
export const NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup";

/**
 * EC2 instance families with NVIDIA GPUs (the EC2 accelerated-computing families). g4ad is left out on
 * purpose: its GPUs are AMD, and nothing there advertises nvidia.com/gpu.
 */
export const GPU_INSTANCE_FAMILIES: readonly string[] = [
  "g3",
  "g3s",
  "g4dn",
  "g5",
  "g5g",
  "g6",
  "g6e",
  "g6f",
  "gr6",
  "gr6f",
  "p2",
  "p3",
  "p3dn",
  "p4d",
  "p4de",
  "p5",
  "p5e",
  "p5en",
  "p6-b200",
  "p6-b300",
  "p6e-gb200",
];

/** Which signal made a node a GPU node, in the order they are tried. */
export type GpuSignal =
  | "pool-label"
  | "gpu-capacity"
  | "gpu-present-label"
  | "instance-type"
  | "nodegroup-ami";

export interface GpuNodeMatch {
  signal: GpuSignal;
  /** The fact that matched, in words: `label triton-ops/pool=gpu`, `instance type g5.xlarge`, ... */
  evidence: string;
}

/** Node group name -> its EKS AMI type (DescribeNodegroup's amiType), when the caller has them. */
export type NodeGroupAmiTypes = ReadonlyMap<string, string>;

/** Pure: `g5.xlarge` -> true. Unknown or CPU families -> false. */
export function isGpuInstanceType(instanceType: string | undefined): boolean {
  if (!instanceType) return false;
  const family = instanceType.slice(0, instanceType.lastIndexOf("."));
  return GPU_INSTANCE_FAMILIES.includes(family);
}

/** Pure: the EKS AMI types that ship the NVIDIA driver (AL2023_*_NVIDIA, AL2_x86_64_GPU, BOTTLEROCKET_*_NVIDIA*). */
export function isNvidiaAmiType(amiType: string | undefined): boolean {
  return amiType !== undefined && (/_NVIDIA(_|$)/.test(amiType) || amiType === "AL2_x86_64_GPU");
}

export function instanceTypeOf(node: V1Node): string | undefined {
  const labels = node.metadata?.labels ?? {};
  return labels["node.kubernetes.io/instance-type"] ?? labels["beta.kubernetes.io/instance-type"];
}

export function nodeGroupOf(node: V1Node): string | undefined {
  return node.metadata?.labels?.[NODEGROUP_LABEL];
}

function quantity(value: string | undefined): number {
  const n = Number(value ?? "0");
  return Number.isFinite(n) ? n : 0;
}

/** nvidia.com/gpu the node can give to pods now (0 while the device plugin is not advertising). */
export function gpuAllocatable(node: V1Node): number {
  return quantity(node.status?.allocatable?.[GPU_RESOURCE]);
}

/** Pure: why the node is a GPU node, or undefined when no signal says so. */
export function gpuNodeMatch(node: V1Node, amiTypes?: NodeGroupAmiTypes): GpuNodeMatch | undefined {
  const labels = node.metadata?.labels ?? {};
  if (labels[GPU_POOL_LABEL] === GPU_POOL_VALUE) {
    return { signal: "pool-label", evidence: `label ${GPU_POOL_LABEL}=${GPU_POOL_VALUE}` };
  }
  const capacity = Math.max(
    quantity(node.status?.capacity?.[GPU_RESOURCE]),
    quantity(node.status?.allocatable?.[GPU_RESOURCE]),
  );
  if (capacity > 0) return { signal: "gpu-capacity", evidence: `${GPU_RESOURCE} capacity ${capacity}` };
  // Set by NVIDIA GPU feature discovery and by the gpu-nodes stack.
  if (labels["nvidia.com/gpu.present"] === "true") {
    return { signal: "gpu-present-label", evidence: "label nvidia.com/gpu.present=true" };
  }
  const type = instanceTypeOf(node);
  if (isGpuInstanceType(type)) return { signal: "instance-type", evidence: `instance type ${type}` };
  const group = nodeGroupOf(node);
  const ami = group ? amiTypes?.get(group) : undefined;
  if (group && isNvidiaAmiType(ami)) {
    return { signal: "nodegroup-ami", evidence: `node group ${group} with AMI type ${ami}` };
  }
  return undefined;
}

export function isGpuNode(node: V1Node, amiTypes?: NodeGroupAmiTypes): boolean {
  return gpuNodeMatch(node, amiTypes) !== undefined;
}

/** What gpuNodeMatch looks for, for a message that says nothing matched. */
export const GPU_SIGNALS_TEXT = `label ${GPU_POOL_LABEL}=${GPU_POOL_VALUE}, ${GPU_RESOURCE} capacity, a GPU instance type, or a node group with an NVIDIA AMI type`;

import { describe, expect, it } from "vitest";
import { node } from "../../test/support/kube-fixtures.js";
import { gpuNodeMatch, isGpuInstanceType, isNvidiaAmiType } from "./gpu-node.js";
import type { V1Node } from "./types.js";

const asNode = (o: unknown) => o as V1Node;
/** A node carrying none of the GPU signals except the ones a case adds. */
function bare(labels: Record<string, string> = {}, gpus?: number): V1Node {
  const n = asNode(node("n1", { pool: "system", instanceType: "m5.large" }));
  delete n.metadata!.labels!["triton-ops/pool"];
  Object.assign(n.metadata!.labels!, labels);
  if (gpus !== undefined) {
    n.status!.capacity!["nvidia.com/gpu"] = String(gpus);
    n.status!.allocatable!["nvidia.com/gpu"] = String(gpus);
  }
  return n;
}

describe("the GPU-node rule", () => {
  it("matches each signal on its own and says which one matched", () => {
    expect(gpuNodeMatch(bare())).toBeUndefined();
    expect(gpuNodeMatch(bare({ "triton-ops/pool": "gpu" }))).toEqual({
      signal: "pool-label",
      evidence: "label triton-ops/pool=gpu",
    });
    expect(gpuNodeMatch(bare({ "triton-ops/pool": "system" }))).toBeUndefined();
    expect(gpuNodeMatch(bare({}, 2))).toEqual({
      signal: "gpu-capacity",
      evidence: "nvidia.com/gpu capacity 2",
    });
    expect(gpuNodeMatch(bare({ "nvidia.com/gpu.present": "true" }))?.signal).toBe("gpu-present-label");
    expect(gpuNodeMatch(bare({ "node.kubernetes.io/instance-type": "g5.xlarge" }))).toEqual({
      signal: "instance-type",
      evidence: "instance type g5.xlarge",
    });
    const beta = bare({ "beta.kubernetes.io/instance-type": "p4d.24xlarge" });
    delete beta.metadata!.labels!["node.kubernetes.io/instance-type"];
    expect(gpuNodeMatch(beta)?.evidence).toBe("instance type p4d.24xlarge");
    const grouped = bare({ "eks.amazonaws.com/nodegroup": "inference" });
    expect(gpuNodeMatch(grouped)).toBeUndefined();
    expect(gpuNodeMatch(grouped, new Map([["inference", "AL2023_x86_64_STANDARD"]]))).toBeUndefined();
    expect(gpuNodeMatch(grouped, new Map([["inference", "AL2023_x86_64_NVIDIA"]]))).toEqual({
      signal: "nodegroup-ami",
      evidence: "node group inference with AMI type AL2023_x86_64_NVIDIA",
    });
  });

  it("a node whose device plugin advertises nothing is still a GPU node by its instance type", () => {
    const n = asNode(node("g", { gpus: 0, instanceType: "g6e.2xlarge" }));
    delete n.metadata!.labels!["triton-ops/pool"];
    expect(gpuNodeMatch(n)?.signal).toBe("instance-type");
  });

  it("knows the NVIDIA families and AMI types, and nothing else", () => {
    for (const t of ["g4dn.xlarge", "g5.48xlarge", "g5g.xlarge", "g6.xlarge", "g6e.xlarge", "gr6.4xlarge"])
      expect(isGpuInstanceType(t), t).toBe(true);
    for (const t of ["p3.2xlarge", "p4d.24xlarge", "p4de.24xlarge", "p5.48xlarge", "p5e.48xlarge"])
      expect(isGpuInstanceType(t), t).toBe(true);
    expect(isGpuInstanceType("p6-b200.48xlarge")).toBe(true);
    for (const t of ["m5.large", "t3.large", "g4ad.xlarge", "inf2.xlarge", "c7g.large", "gpu", "", undefined])
      expect(isGpuInstanceType(t), String(t)).toBe(false);
    for (const a of [
      "AL2023_x86_64_NVIDIA",
      "AL2023_ARM_64_NVIDIA",
      "AL2_x86_64_GPU",
      "BOTTLEROCKET_x86_64_NVIDIA",
      "BOTTLEROCKET_ARM_64_NVIDIA_FIPS",
    ])
      expect(isNvidiaAmiType(a), a).toBe(true);
    for (const a of [
      "AL2023_x86_64_STANDARD",
      "AL2023_x86_64_NEURON",
      "BOTTLEROCKET_x86_64",
      "CUSTOM",
      undefined,
    ])
      expect(isNvidiaAmiType(a), String(a)).toBe(false);
  });
});

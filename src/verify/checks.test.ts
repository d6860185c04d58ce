import { describe, expect, it } from "vitest";
import { node, pod } from "../../test/support/kube-fixtures.js";
import type { V1Node, V1Pod } from "../k8s/types.js";
import {
  autoscalingVerdict,
  type CheckDefinition,
  gpuVerdict,
  nodesVerdict,
  nodeTemplateVerdict,
  podsVerdict,
  runChecks,
  targetsVerdict,
  vpcVerdict,
} from "./checks.js";

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("runChecks", () => {
  it("runs independent checks at the same time and each after its prerequisites", async () => {
    const started: Record<string, number> = {};
    const t0 = Date.now();
    const def = (
      id: string,
      needs: string[],
      ms: number,
      status: "pass" | "fail" = "pass",
    ): CheckDefinition => ({
      id,
      needs,
      async run() {
        started[id] = Date.now() - t0;
        await wait(ms);
        return { status, summary: id };
      },
    });
    const results = await runChecks(
      [
        def("a", [], 100),
        def("b", [], 100),
        def("c", ["a"], 50),
        def("d", ["b"], 10, "fail"),
        def("e", ["d"], 10),
      ],
      5000,
    );
    expect(started.a).toBeLessThan(50);
    expect(started.b).toBeLessThan(50);
    expect(started.c).toBeGreaterThanOrEqual(95);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ["a", "pass"],
      ["b", "pass"],
      ["c", "pass"],
      ["d", "fail"],
      ["e", "skip"],
    ]);
    expect(results[4]!.summary).toBe("skipped: d failed");
  });

  it("turns a thrown error into a fail with its suggestion as hint, and a slow check into a timeout", async () => {
    const thrower: CheckDefinition = {
      id: "x",
      needs: [],
      async run() {
        throw Object.assign(new Error("boom\nstack"), { suggestion: "do this" });
      },
    };
    const slow: CheckDefinition = {
      id: "y",
      needs: [],
      run: () => wait(10_000).then(() => ({ status: "pass" as const, summary: "" })),
    };
    const [x, y] = await runChecks([thrower, slow], 200);
    expect(x).toMatchObject({ status: "fail", summary: "boom", hint: "do this" });
    expect(y).toMatchObject({ status: "fail" });
    expect(y!.summary).toMatch(/^timed out/);
  });
});

const asNode = (o: unknown) => o as V1Node;
describe("rules", () => {
  it("nodes: names NotReady nodes with the reason, warns on fewer than desired", () => {
    const v = nodesVerdict([asNode(node("a")), asNode(node("b", { ready: false }))], 2);
    expect(v.status).toBe("fail");
    expect(v.summary).toBe("1 of 2 nodes not Ready: b");
    expect(v.details?.[0]).toContain("KubeletNotReady");
    expect(nodesVerdict([asNode(node("a"))], 3).status).toBe("warn");
    expect(nodesVerdict([asNode(node("a"))], 1).status).toBe("pass");
    expect(nodesVerdict([], undefined).status).toBe("fail");
  });

  it("gpu: every GPU node must advertise nvidia.com/gpu", () => {
    const pass = gpuVerdict([
      asNode(node("g1", { gpus: 4 })),
      asNode(node("g2", { gpus: 4 })),
      asNode(node("s1", { pool: "system" })),
    ]);
    expect(pass.summary).toBe("8 GPUs allocatable on 2 GPU nodes");
    expect(pass.details).toEqual([
      "g1: GPU node by label triton-ops/pool=gpu; allocatable 4",
      "g2: GPU node by label triton-ops/pool=gpu; allocatable 4",
    ]);
    expect(gpuVerdict([asNode(node("g1", { gpus: 0 }))]).summary).toContain("g1");
    expect(gpuVerdict([]).status).toBe("fail");
    const cpuOnly = gpuVerdict([asNode(node("s1", { pool: "system", nodeGroup: "workers" }))]);
    expect(cpuOnly).toMatchObject({ status: "fail" });
    expect(cpuOnly.summary).toContain("no GPU node among the 1 nodes");
    // The node group's AMI type is the last signal: an NVIDIA AMI makes its member a GPU node.
    const byAmi = gpuVerdict(
      [asNode(node("s1", { pool: "system", nodeGroup: "workers" }))],
      new Map([["workers", "AL2023_x86_64_NVIDIA"]]),
    );
    expect(byAmi.summary).toContain("1 of 1 GPU nodes advertise no allocatable nvidia.com/gpu: s1");
    expect(byAmi.details).toEqual([
      "s1: GPU node by node group workers with AMI type AL2023_x86_64_NVIDIA; allocatable 0",
    ]);
  });

  it("pods: Running and Ready or Succeeded pass; the others are named with the reason", () => {
    const pods = [
      pod("t", "ok"),
      pod("t", "done", { phase: "Succeeded" }),
      pod("t", "pending", { phase: "Pending", waitingReason: "ImagePullBackOff" }),
    ] as unknown as V1Pod[];
    const v = podsVerdict(pods, ["t"]);
    expect(v.summary).toBe("1 of 3 pods not Running and Ready: t/pending");
    expect(v.details).toEqual(["t/pending: Pending (ImagePullBackOff)"]);
  });

  it("targets: every monitored job needs targets, all up", () => {
    const body = (jobs: Array<[string, string]>) =>
      JSON.stringify({
        data: { activeTargets: jobs.map(([job, health]) => ({ labels: { job, instance: job }, health })) },
      });
    expect(
      targetsVerdict(
        body([
          ["triton", "up"],
          ["dcgm-exporter", "up"],
          ["node-exporter", "up"],
        ]),
      ).status,
    ).toBe("pass");
    const v = targetsVerdict(
      body([
        ["triton", "up"],
        ["node-exporter", "down"],
      ]),
    );
    expect(v.summary).toBe("dcgm-exporter: no targets; node-exporter: 1 of 1 down");
    expect(targetsVerdict("<html>").status).toBe("fail");
  });

  it("monitoring: a target not scraped yet (health unknown) warns, it is not down", () => {
    const body = (jobs: Array<[string, string]>) =>
      JSON.stringify({
        data: { activeTargets: jobs.map(([job, health]) => ({ labels: { job, instance: job }, health })) },
      });
    const fresh = targetsVerdict(
      body([
        ["triton", "up"],
        ["triton", "unknown"],
        ["dcgm-exporter", "unknown"],
        ["node-exporter", "up"],
      ]),
    );
    expect(fresh.status).toBe("warn");
    expect(fresh.summary).toBe(
      "2 targets up; triton: 1 of 2 not scraped yet; dcgm-exporter: 1 of 1 not scraped yet",
    );
    const mixed = targetsVerdict(
      body([
        ["triton", "down"],
        ["dcgm-exporter", "unknown"],
        ["node-exporter", "up"],
      ]),
    );
    expect(mixed.status).toBe("fail");
    expect(mixed.summary).toBe("triton: 1 of 1 down; dcgm-exporter: 1 of 1 not scraped yet");
  });

  it("autoscaling: cluster-autoscaler ready, and the HPA reading a current value when one is configured", () => {
    const running = { status: { replicas: 1, readyReplicas: 1 } };
    const reading = {
      status: {
        currentMetrics: [
          {
            pods: { metric: { name: "triton_queue_time_per_request_us" }, current: { averageValue: "1200" } },
          },
        ],
      },
    };
    expect(autoscalingVerdict(undefined, undefined, false).status).toBe("fail");
    expect(autoscalingVerdict({ status: { replicas: 1, readyReplicas: 0 } }, undefined, false).summary).toBe(
      "cluster-autoscaler has 0 of 1 replicas ready",
    );
    expect(autoscalingVerdict(running, undefined, false).status).toBe("pass");
    expect(autoscalingVerdict(running, undefined, true).summary).toBe(
      "the Triton HPA (triton/triton) is missing",
    );
    expect(autoscalingVerdict(running, { status: { currentMetrics: [] } }, true).summary).toContain(
      "no current value",
    );
    expect(autoscalingVerdict(running, reading, true)).toMatchObject({
      status: "pass",
      summary: "cluster-autoscaler is running; the Triton HPA reads triton_queue_time_per_request_us = 1200",
    });
  });

  it("vpc: tagged VPCs not in state are orphans", () => {
    expect(vpcVerdict([{ id: "vpc-1" }], ["vpc-1"]).status).toBe("pass");
    expect(vpcVerdict([{ id: "vpc-1" }, { id: "vpc-2", name: "old" }], ["vpc-1"]).summary).toContain(
      "vpc-2 (old)",
    );
    expect(vpcVerdict([], []).status).toBe("pass");
  });
});

describe("nodeTemplateVerdict", () => {
  const expected = {
    "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
    a: "1",
  };
  it("passes with every tag, names a missing or wrong one, fails when the group is gone", () => {
    expect(nodeTemplateVerdict("asg", expected, { ...expected, other: "x" }).status).toBe("pass");
    const wrong = nodeTemplateVerdict("asg", expected, { a: "2" });
    expect(wrong.status).toBe("fail");
    expect(wrong.details).toEqual([
      "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu=true:NoSchedule (has none)",
      "a=1 (has 2)",
    ]);
    expect(nodeTemplateVerdict("asg", expected, undefined).summary).toMatch(/asg .* does not exist/);
  });
});

import { describe, expect, it } from "vitest";
import { loadScenario, type ScenarioObjects } from "../../test/support/doctor-scenarios.js";
import { ExternalError, UserError } from "../errors.js";
import type { KubeClient } from "../k8s/types.js";
import type { DoctorAws } from "./aws.js";
import { collectSnapshot } from "./collect.js";
import { formatFindings } from "./format.js";
import { plannedCreates } from "./planned-creates.js";
import { gpuVcpuNeed } from "./preflight.js";
import { runRules } from "./rules/index.js";
import { redactAccountIds } from "./run.js";

/** A KubeClient serving a scenario's objects, counting calls per method. */
function fakeKube(objects: ScenarioObjects, calls: Record<string, number>): KubeClient {
  const count = <T>(name: string, value: T) => {
    calls[name] = (calls[name] ?? 0) + 1;
    return Promise.resolve(value);
  };
  return {
    server: objects.server,
    version: () => count("version", { major: "1", minor: "31+", gitVersion: "v1.31.4" } as never),
    listNodes: () => count("listNodes", objects.nodes),
    listPods: () => count("listPods", objects.pods),
    listEvents: () => count("listEvents", objects.events),
    listDaemonSets: () => count("listDaemonSets", objects.daemonSets),
    listPersistentVolumeClaims: () => count("listPersistentVolumeClaims", objects.pvcs),
  } as unknown as KubeClient;
}

function fakeAws(calls: string[]): DoctorAws {
  return {
    notes: [],
    describeCluster: async (name) => {
      calls.push(`describeCluster ${name}`);
      return { name, exists: true, subnetIds: ["subnet-1"] };
    },
    ecrImage: async (image, repository) => {
      calls.push(`ecrImage ${image}`);
      return { image, repository, repositoryExists: true, imageExists: false };
    },
    rolePolicies: async (name) => {
      calls.push(`rolePolicies ${name}`);
      return { name, attachedPolicies: [] };
    },
    nodeGroups: async (cluster) => {
      calls.push(`nodeGroups ${cluster}`);
      return [];
    },
    subnets: async () => {
      calls.push("subnets");
      return [];
    },
    existingOutsideState: async () => {
      calls.push("existingOutsideState");
      return [];
    },
  };
}

const project = {
  clusterName: "triton-dev",
  nodeRoleName: "triton-dev-eks-node",
  namespaces: ["triton", "monitoring"],
};

describe("collectSnapshot", () => {
  it("lists each kind once and asks AWS nothing beyond the cluster for a healthy cluster", async () => {
    const kubeCalls: Record<string, number> = {};
    const awsCalls: string[] = [];
    const objects = loadScenario("healthy").kubernetes as ScenarioObjects;
    const snapshot = await collectSnapshot({
      connectKube: async () => fakeKube(objects, kubeCalls),
      aws: fakeAws(awsCalls),
      region: "us-east-1",
      project,
    });
    expect(kubeCalls).toEqual({
      version: 1,
      listNodes: 1,
      listPods: 1,
      listEvents: 1,
      listDaemonSets: 1,
      listPersistentVolumeClaims: 1,
    });
    expect(awsCalls).toEqual(["describeCluster triton-dev"]);
    expect("unreachable" in snapshot.kubernetes ? "" : snapshot.kubernetes.controlPlaneVersion).toBe("1.31");
  });

  it("asks ECR about the failing image and IAM about the node role only when a pull fails", async () => {
    const awsCalls: string[] = [];
    const objects = loadScenario("image-ecr-tag-missing").kubernetes as ScenarioObjects;
    await collectSnapshot({
      connectKube: async () => fakeKube(objects, {}),
      aws: fakeAws(awsCalls),
      region: "us-east-1",
      project,
    });
    expect(awsCalls.sort()).toEqual([
      "describeCluster triton-dev",
      "ecrImage 123456789012.dkr.ecr.us-east-1.amazonaws.com/triton-dev-triton:24.09-py3",
      "nodeGroups triton-dev",
      "rolePolicies triton-dev-eks-node",
    ]);
  });

  it("turns a failing API into one unreachable entry and still collects the AWS side", async () => {
    const awsCalls: string[] = [];
    const broken = {
      server: "https://x",
      version: () =>
        Promise.reject(
          new ExternalError("Cannot reach Kubernetes API https://x (ECONNREFUSED) to list nodes.", {
            code: "k8s.unreachable",
          }),
        ),
      listNodes: () =>
        Promise.reject(
          new ExternalError("Cannot reach Kubernetes API https://x (ECONNREFUSED) to list nodes.", {
            code: "k8s.unreachable",
            suggestion: "Check the network path",
          }),
        ),
      listPods: () => Promise.reject(new ExternalError("no", { code: "k8s.unreachable" })),
      listEvents: () => Promise.reject(new ExternalError("no", { code: "k8s.unreachable" })),
      listDaemonSets: () => Promise.reject(new ExternalError("no", { code: "k8s.unreachable" })),
      listPersistentVolumeClaims: () => Promise.reject(new ExternalError("no", { code: "k8s.unreachable" })),
    } as unknown as KubeClient;
    const snapshot = await collectSnapshot({
      connectKube: async () => broken,
      aws: fakeAws(awsCalls),
      region: "us-east-1",
      project,
      readStacks: async () => ({}),
      plannedCreates: () => [],
    });
    expect(snapshot.kubernetes).toMatchObject({
      unreachable: { code: "k8s.unreachable", server: "https://x" },
    });
    expect(awsCalls.sort()).toEqual([
      "describeCluster triton-dev",
      "existingOutsideState",
      "nodeGroups triton-dev",
    ]);
    const findings = runRules(snapshot);
    expect(findings.map((f) => f.code)).toEqual(["k8s.unreachable"]);
  });
});

describe("a kubeconfig problem", () => {
  it("is one finding that says there is no usable kubeconfig, with the command that writes one", async () => {
    const snapshot = await collectSnapshot({
      connectKube: async () => {
        throw new UserError("No kubeconfig found (/home/u/.kube/config).", {
          code: "kube.config-missing",
          suggestion: "Write one with `triton-ops kubeconfig --write`, or pass --kubeconfig FILE.",
        });
      },
      aws: fakeAws([]),
      region: "us-east-1",
      project,
    });
    const [finding, ...rest] = runRules(snapshot);
    expect(rest).toEqual([]);
    expect(finding?.code).toBe("k8s.unreachable");
    expect(finding?.cause).toMatch(/^There is no usable kubeconfig .* Write one with/);
    expect(finding?.fix[0]).toBe("triton-ops kubeconfig --write");
  });
});

describe("pure helpers", () => {
  it("redacts 12-digit account ids everywhere and nothing else", () => {
    expect(
      redactAccountIds({
        a: ["123456789012.dkr.ecr.us-east-1.amazonaws.com/x", "arn:aws:iam::210987654321:role/r"],
        b: "port 1234567890123 and 12345",
        n: 5,
      }),
    ).toEqual({
      a: ["<account-id>.dkr.ecr.us-east-1.amazonaws.com/x", "arn:aws:iam::<account-id>:role/r"],
      b: "port 1234567890123 and 12345",
      n: 5,
    });
  });

  it("sizes the GPU vCPU need per quota class at max size", () => {
    const vcpus = new Map([
      ["g5.xlarge", 4],
      ["g5.2xlarge", 8],
      ["p4d.24xlarge", 96],
    ]);
    expect(gpuVcpuNeed(["g5.xlarge", "g5.2xlarge"], vcpus, 3)).toEqual([{ cls: "G", need: 24 }]);
    expect(gpuVcpuNeed(["g5.xlarge", "p4d.24xlarge"], vcpus, 2)).toEqual([
      { cls: "G", need: 8 },
      { cls: "P", need: 192 },
    ]);
  });

  it("lists only the named resources missing from state as planned creates", () => {
    const creates = plannedCreates(
      { name: "acme", environment: "dev" },
      { iam: [{ address: "aws_iam_role.cluster" }, { address: "aws_iam_role.node" }], ecr: [] },
    );
    expect(creates.map((c) => c.address)).toEqual([
      "aws_ecr_repository.this",
      "aws_eks_cluster.this",
      "aws_cloudwatch_log_group.this",
      "aws_kms_alias.this",
      "aws_iam_role.triton",
    ]);
    expect(creates.find((c) => c.type === "aws_kms_alias")?.name).toBe("alias/acme-dev-eks");
  });

  it("prints errors before warnings, each with evidence, cause and fix commands", () => {
    const id = (t: string) => t;
    const style = { red: id, green: id, yellow: id, dim: id, bold: id };
    const text = formatFindings(
      {
        findings: [
          {
            code: "node.pressure",
            severity: "warning",
            resource: "Node/a",
            summary: "s1",
            evidence: ["e1"],
            cause: "c1",
            fix: ["f1"],
          },
          {
            code: "pod.crash-loop",
            severity: "error",
            resource: "Pod/x/y",
            summary: "s2",
            evidence: ["e2"],
            cause: "c2",
            fix: ["kubectl logs"],
          },
        ],
        checked: { nodes: 1, pods: 2, events: 3, kubernetes: true, stacks: 0 },
      },
      style,
    );
    expect(text.indexOf("Errors (1)")).toBeLessThan(text.indexOf("Warnings (1)"));
    expect(text).toContain("    $ kubectl logs");
    expect(text).toContain("  cause: c2");
    expect(text.trim().split("\n").at(-1)).toBe(
      "1 error(s), 1 warning(s), 0 info (1 nodes, 2 pods, 3 events).",
    );
  });
});

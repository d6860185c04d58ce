import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  CreateClusterCommand,
  CreateNodegroupCommand,
  EKSClient,
  UpdateClusterVersionCommand,
} from "@aws-sdk/client-eks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { awsClientConfig } from "../../src/aws/clients.js";
import {
  CALENDAR_2026_12_01,
  type EksStandin,
  type StandinCluster,
  startEksStandin,
} from "../support/eks-standin.js";
import { node, pod } from "../support/kube-fixtures.js";
import { type KubeObject, type KubeStandin, startKubeStandin } from "../support/kube-standin.js";
import { type Moto, startTestMoto } from "../support/moto.js";
import { runCli } from "../support/run-cli.js";

interface UpgradeJson {
  from: string;
  to: string;
  dryRun: boolean;
  prechecks: Array<{ id: string; status: string; summary: string; details?: string[] }>;
  steps: Array<{ id: string; status: string; from: string; to: string; reason?: string }>;
  configUpdated?: string;
}

const CLUSTER: StandinCluster = {
  name: "acme-dev",
  version: "1.33",
  nodegroups: [
    {
      name: "acme-dev-gpu",
      version: "1.33",
      releaseVersion: "1.33.5-20261001",
      instanceTypes: ["g5.xlarge"],
      scaling: { minSize: 1, maxSize: 2, desiredSize: 1 },
      maxUnavailable: 1,
      subnets: ["subnet-a", "subnet-b"],
    },
    {
      name: "acme-dev-system",
      version: "1.33",
      releaseVersion: "1.33.5-20261001",
      amiType: "AL2023_x86_64_STANDARD",
      instanceTypes: ["t3.large"],
      scaling: { minSize: 1, maxSize: 3, desiredSize: 2 },
      subnets: ["subnet-a", "subnet-b"],
    },
  ],
  addons: [{ name: "coredns", version: "v1.11.4-eksbuild.2" }],
};

const kubelet = (o: KubeObject, version: string): KubeObject => {
  o.status.nodeInfo.kubeletVersion = version;
  return o;
};
const BLOCKING_PDB: KubeObject = {
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name: "triton", namespace: "triton" },
  spec: { minAvailable: 1, selector: { matchLabels: { app: "triton" } } },
  status: { currentHealthy: 1, desiredHealthy: 1, disruptionsAllowed: 0, expectedPods: 1 },
};

/**
 * `triton-ops upgrade` against the calls the emulator lacks, served by the EKS stand-in (written from the
 * EKS API reference), with the emulator behind every other AWS call and the Kubernetes stand-in for the
 * nodes, pods and PodDisruptionBudgets.
 */
describe("triton-ops upgrade", () => {
  let moto: Moto;
  let eks: EksStandin;
  let kube: KubeStandin;
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  const start = async () => {
    await eks?.stop();
    eks = await startEksStandin({
      clusterVersions: CALENDAR_2026_12_01,
      clusters: [CLUSTER],
      addonVersions: [
        {
          addonName: "coredns",
          addonVersion: "v1.11.4-eksbuild.2",
          compatibilities: [{ clusterVersion: "1.33" }, { clusterVersion: "1.34" }],
        },
        {
          addonName: "coredns",
          addonVersion: "v1.12.1-eksbuild.1",
          compatibilities: [{ clusterVersion: "1.34", defaultVersion: true }],
        },
      ],
      insights: {
        "acme-dev": [{ name: "Deprecated APIs removed in 1.34", status: "PASSING", reason: "none in use" }],
      },
      pollsToComplete: 3,
    });
    env = { ...moto.env, AWS_ENDPOINT_URL_EKS: eks.url, TRITON_OPS_UPGRADE_POLL_MS: "5" };
  };

  beforeAll(async () => {
    moto = await startTestMoto();
    kube = await startKubeStandin({
      objects: [
        kubelet(node("gpu-1", { nodeGroup: "acme-dev-gpu" }), "v1.33.5-eks-1a2b3c"),
        kubelet(node("sys-1", { pool: "system", nodeGroup: "acme-dev-system" }), "v1.33.5-eks-1a2b3c"),
        pod("triton", "triton-7d9f-abcde", { node: "gpu-1", labels: { app: "triton" } }),
        pod("kube-system", "coredns-1", { node: "sys-1", labels: { "k8s-app": "kube-dns" } }),
        BLOCKING_PDB,
      ],
    });
  });

  beforeEach(async () => {
    await start();
    cwd = await mkdtemp(path.join(os.tmpdir(), "upgrade-"));
    await writeFile(
      path.join(cwd, "triton-ops.yaml"),
      '# the team\'s config\nname: acme\nenvironment: dev\nkubernetesVersion: "1.33"\n',
    );
  });

  afterAll(async () => {
    await eks?.stop();
    await kube?.stop();
    await moto?.stop();
  });

  const updateCalls = () =>
    eks.calls.filter((c) => c.startsWith("POST") && /updates$|update-version$/.test(c));

  it("refuses a skip, a downgrade, an unknown version and garbage: one line, exit 2, nothing changed", async () => {
    const cases: Array<[string, string]> = [
      [
        "--to 1.35",
        "EKS upgrades one minor version at a time: 1.33 -> 1.34 -> 1.35; run `triton-ops upgrade --to 1.34` first.",
      ],
      ["--to 1.32", "--to 1.32 is older than the cluster's 1.33"],
      [
        "--to 1.40",
        "EKS offers no Kubernetes 1.40 (per DescribeClusterVersions: 1.31, 1.32, 1.33, 1.34, 1.35).",
      ],
      ["--to banana", '--to must be a Kubernetes minor version such as 1.35 (got "banana").'],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(`upgrade ${args} --yes --json`, { cwd, env });
      expect(run.code, args).toBe(2);
      expect(run.stdout).toBe("");
      const lines = run.stderr.trim().split("\n");
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toContain(message);
    }
    expect(updateCalls()).toEqual([]);
    expect(eks.clusters.get("acme-dev")?.version).toBe("1.33");
  });

  it("dry run: every pre-check, then the steps in order; a blocking PodDisruptionBudget is named with its pods", async () => {
    const run = await runCli(`upgrade --dry-run --json --kubeconfig ${kube.kubeconfigPath}`, { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as UpgradeJson;
    expect(doc).toMatchObject({ from: "1.33", to: "1.34", dryRun: true });
    expect(doc.prechecks.map((c) => c.id)).toEqual([
      "insights",
      "addons",
      "kubelet-skew",
      "pdb-blockers",
      "surge:acme-dev-gpu",
      "surge-cost:acme-dev-gpu",
      "surge:acme-dev-system",
      "surge-cost:acme-dev-system",
    ]);
    const byId = Object.fromEntries(doc.prechecks.map((c) => [c.id, c]));
    expect(byId.insights?.status).toBe("pass");
    expect(byId.addons?.details).toEqual(["coredns v1.11.4-eksbuild.2 ok"]);
    expect(byId["kubelet-skew"]?.status).toBe("pass");
    expect(byId["pdb-blockers"]).toMatchObject({
      status: "fail",
      details: ["triton/triton (allows 0 disruptions): pods triton-7d9f-abcde"],
    });
    // Two subnets (AZs), max_unavailable 1: EKS may launch 2 x 2 = 4 extra g5.xlarge; the emulator has no quotas.
    expect(byId["surge:acme-dev-gpu"]?.summary).toBe("acme-dev-gpu: up to 4 surge node(s)");
    expect(byId["surge:acme-dev-gpu"]?.details?.join("\n")).toContain(
      "vCPU quota unknown; the roll needs 20 vCPUs",
    );
    expect(byId["surge-cost:acme-dev-gpu"]?.summary).toContain("about $2.01 for 4 surge node(s)");
    expect(doc.steps.map((s) => `${s.id} ${s.from}->${s.to} ${s.status}`)).toEqual([
      "control-plane 1.33->1.34 pending",
      "nodegroup:acme-dev-gpu 1.33->1.34 pending",
      "nodegroup:acme-dev-system 1.33->1.34 pending",
    ]);
    expect(updateCalls()).toEqual([]);
  });

  it("a failed pre-check stops the upgrade before anything changes", async () => {
    const run = await runCli(`upgrade --yes --kubeconfig ${kube.kubeconfigPath}`, { cwd, env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "Upgrade not started: pre-check(s) failed: pdb-blockers. Nothing was changed.",
    );
    expect(updateCalls()).toEqual([]);
  });

  it("upgrades the control plane, then each node group, and brings the config in line", async () => {
    kube.store.remove("policy/v1", "PodDisruptionBudget", "triton", "triton");
    try {
      const run = await runCli(`upgrade --yes --json --kubeconfig ${kube.kubeconfigPath}`, { cwd, env });
      expect(run.code, run.stderr).toBe(0);
      const doc = JSON.parse(run.stdout) as UpgradeJson;
      expect(doc.steps.map((s) => s.status)).toEqual(["applied", "applied", "applied"]);
      expect(updateCalls()).toEqual([
        "POST /clusters/acme-dev/updates",
        "POST /clusters/acme-dev/node-groups/acme-dev-gpu/update-version",
        "POST /clusters/acme-dev/node-groups/acme-dev-system/update-version",
      ]);
      const cluster = eks.clusters.get("acme-dev")!;
      expect([cluster.version, ...cluster.nodegroups.map((n) => n.version)]).toEqual([
        "1.34",
        "1.34",
        "1.34",
      ]);
      const text = await readFile(path.join(cwd, "triton-ops.yaml"), "utf8");
      expect(parse(text).kubernetesVersion).toBe("1.34");
      expect(text).toContain("# the team's config");
      // Run again: nothing left to do at 1.34 without --to; the next minor is offered.
      const again = await runCli(`upgrade --dry-run --json --kubeconfig ${kube.kubeconfigPath}`, {
        cwd,
        env,
      });
      expect((JSON.parse(again.stdout) as UpgradeJson).to).toBe("1.35");
    } finally {
      kube.store.add(BLOCKING_PDB);
    }
  });

  it("an interrupted upgrade carries on from where EKS is, without starting a second update", async () => {
    const sdk = new EKSClient(awsClientConfig({ region: "us-east-1", env, sandbox: false }, "EKS"));
    // What an interrupted run left: the control-plane update started, nothing else.
    await sdk.send(new UpdateClusterVersionCommand({ name: "acme-dev", version: "1.34" }));
    sdk.destroy();
    kube.store.remove("policy/v1", "PodDisruptionBudget", "triton", "triton");
    try {
      const run = await runCli(`upgrade --yes --json --kubeconfig ${kube.kubeconfigPath}`, { cwd, env });
      expect(run.code, run.stderr).toBe(0);
      const doc = JSON.parse(run.stdout) as UpgradeJson;
      expect(doc.to).toBe("1.34");
      expect(updateCalls().filter((c) => c === "POST /clusters/acme-dev/updates")).toHaveLength(1);
      expect(eks.clusters.get("acme-dev")?.nodegroups.map((n) => n.version)).toEqual(["1.34", "1.34"]);
    } finally {
      kube.store.add(BLOCKING_PDB);
    }
  });

  it("the stand-in refuses what EKS refuses: a node group newer than the control plane", async () => {
    const { updateNodegroupVersion } = await import("../../src/aws/eks-upgrade.js");
    await expect(
      updateNodegroupVersion(
        { region: "us-east-1", env, sandbox: false },
        "acme-dev",
        "acme-dev-gpu",
        "1.34",
      ),
    ).rejects.toThrow(/newer than the cluster version 1.33/);
  });

  describe("on the sandbox", () => {
    let sandboxCwd: string;
    beforeAll(async () => {
      sandboxCwd = await mkdtemp(path.join(os.tmpdir(), "upgrade-sandbox-"));
      const workRoot = path.join(sandboxCwd, ".triton-ops");
      const { mkdir } = await import("node:fs/promises");
      await mkdir(workRoot, { recursive: true });
      // The project's sandbox is this test's emulator (the file `sandbox start` writes).
      await writeFile(
        path.join(workRoot, "sandbox.json"),
        JSON.stringify({
          pid: moto.pid,
          port: moto.port,
          endpoint: moto.endpoint,
          startedAt: moto.startedAt,
        }),
      );
      await writeFile(
        path.join(sandboxCwd, "triton-ops.yaml"),
        stringify({ name: "demo", environment: "dev", sandbox: true, kubernetesVersion: "1.33" }),
      );
      const aws = { region: "us-east-1", env: moto.env, sandbox: true };
      const sdk = new EKSClient(awsClientConfig(aws, "EKS"));
      await sdk.send(
        new CreateClusterCommand({
          name: "demo-dev",
          version: "1.33",
          roleArn: "arn:aws:iam::123456789012:role/demo-dev-eks-cluster",
          resourcesVpcConfig: { subnetIds: ["subnet-1", "subnet-2"] },
        }),
      );
      await sdk.send(
        new CreateNodegroupCommand({
          clusterName: "demo-dev",
          nodegroupName: "demo-dev-gpu",
          nodeRole: "arn:aws:iam::123456789012:role/demo-dev-eks-node",
          subnets: ["subnet-1", "subnet-2"],
          instanceTypes: ["g5.xlarge"],
          scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 },
          version: "1.33",
        }),
      );
      sdk.destroy();
    });

    const sandboxEnv = () => ({ ...process.env, TRITON_OPS_UPGRADE_POLL_MS: "5" });

    it("refuses a skipped minor with the path", async () => {
      const run = await runCli("upgrade --to 1.35", { cwd: sandboxCwd, env: sandboxEnv() });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("1.33 -> 1.34 -> 1.35; run `triton-ops upgrade --to 1.34` first.");
    });

    it("--dry-run --json lists the pre-checks and the steps in order", async () => {
      const run = await runCli("upgrade --dry-run --json", { cwd: sandboxCwd, env: sandboxEnv() });
      expect(run.code, run.stderr).toBe(0);
      const doc = JSON.parse(run.stdout) as UpgradeJson;
      expect(doc.prechecks.map((c) => `${c.id} ${c.status}`)).toEqual([
        "insights unknown",
        "addons unknown",
        "kubelet-skew unknown",
        "pdb-blockers unknown",
        "surge:demo-dev-gpu warn",
        "surge-cost:demo-dev-gpu pass",
      ]);
      expect(doc.steps.map((s) => s.id)).toEqual(["control-plane", "nodegroup:demo-dev-gpu"]);
    });

    it("runs the pre-checks and skips the apply steps, saying why", async () => {
      const run = await runCli("upgrade --yes --json", { cwd: sandboxCwd, env: sandboxEnv() });
      expect(run.code, run.stderr).toBe(0);
      const doc = JSON.parse(run.stdout) as UpgradeJson;
      expect(doc.steps.every((s) => s.status === "skipped")).toBe(true);
      expect(doc.steps[0]?.reason).toContain("no UpdateClusterVersion or UpdateNodegroupVersion");
      expect(run.stderr).toContain("Sandbox: the pre-checks ran; the 2 step(s) are skipped");
    });
  });
});

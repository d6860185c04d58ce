import { writeFile } from "node:fs/promises";
import path from "node:path";
import { AutoScalingClient, CreateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { CreateLaunchTemplateCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROKEN, healthy } from "../../test/fixtures/verify/scenarios.js";
import { seedProjectAws } from "../../test/support/aws-seed.js";
import { pod } from "../../test/support/kube-fixtures.js";
import { type KubeStandin, startKubeStandin } from "../../test/support/kube-standin.js";
import { type Moto, startTestMoto } from "../../test/support/moto.js";
import { makeProject } from "../../test/support/project.js";
import { runCli } from "../../test/support/run-cli.js";
import { startTritonStandin, type TritonStandin } from "../../test/support/triton-standin.js";
import type { CheckResult } from "./checks.js";

const creds = { accessKeyId: "testing", secretAccessKey: "testing" };

const byId = (checks: CheckResult[]) => Object.fromEntries(checks.map((c) => [c.id, c]));

let moto: Moto;
let triton: TritonStandin;
/** The triton Service's pods: a Triton stand-in serving the sample model, behind the service proxy. */
const withTriton = <T extends object>(scenario: T) => ({
  ...scenario,
  proxyUpstreams: { "triton/triton:8000": triton.url },
});
let vpcId: string;
let project: string;
const config = { triton: { imageTag: "24.08" }, gpu: { desiredSize: 1 }, systemNodes: { size: 2 } };

beforeAll(async () => {
  triton = await startTritonStandin(path.resolve(import.meta.dirname, "../../templates/sample-model/models"));
  moto = await startTestMoto();
  ({ vpcId } = await seedProjectAws({
    endpoint: moto.endpoint,
    name: "acme",
    environment: "dev",
    imageTag: "24.08",
  }));
  // The GPU node group's Auto Scaling group as EKS leaves it on AWS, with the node-template tags the
  // gpu-nodes stack puts on it (the emulator makes no group behind a node group, so it is made here).
  const nodeTemplate = {
    "k8s.io/cluster-autoscaler/enabled": "true",
    "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "1",
    "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
  };
  const aws = { region: "us-east-1", endpoint: moto.endpoint, credentials: creds };
  const ec2 = new EC2Client(aws);
  await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: "acme-dev-gpu",
      LaunchTemplateData: { ImageId: "ami-12c6146b" },
    }),
  );
  ec2.destroy();
  const autoscaling = new AutoScalingClient(aws);
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: "eks-acme-dev-gpu",
      LaunchTemplate: { LaunchTemplateName: "acme-dev-gpu" },
      MinSize: 0,
      MaxSize: 2,
      AvailabilityZones: ["us-east-1a"],
      Tags: Object.entries(nodeTemplate).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: false })),
    }),
  );
  autoscaling.destroy();
  project = await makeProject({
    config,
    outputs: {
      vpc: { vpc_id: vpcId },
      eks: { cluster_name: "acme-dev" },
      "gpu-nodes": { gpu_autoscaling_group_name: "eks-acme-dev-gpu", gpu_node_template_tags: nodeTemplate },
    },
  });
});
afterAll(async () => {
  await moto?.stop();
  await triton?.stop();
});

async function verifyAgainst(standin: KubeStandin, extra = "", cwd = project) {
  const run = await runCli(`verify --json --kubeconfig ${standin.kubeconfigPath} ${extra}`, {
    cwd,
    env: moto.env,
  });
  const result = JSON.parse(run.stdout) as { ok: boolean; checks: CheckResult[] };
  return { run, result, checks: byId(result.checks) };
}

/** verify as run outside any project: the current kubeconfig context, --cluster and --region. */
async function verifyWithoutConfig(standin: KubeStandin, extra = "") {
  const run = await runCli(`verify --json --cluster acme-dev --region us-east-1 ${extra}`, {
    cwd: path.dirname(standin.kubeconfigPath),
    env: { ...moto.env, KUBECONFIG: standin.kubeconfigPath },
  });
  return { run, checks: byId(JSON.parse(run.stdout).checks) };
}

describe("triton-ops verify", () => {
  it("passes every check against a healthy cluster, in the documented JSON shape", async () => {
    const standin = await startKubeStandin(withTriton(healthy()));
    try {
      const { run, result } = await verifyAgainst(standin);
      expect(run.code, run.stdout).toBe(0);
      expect(result.ok).toBe(true);
      expect(result.checks.map((c) => c.id)).toEqual([
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
      ]);
      for (const check of result.checks) {
        const details =
          check.id === "gpu.visible" ? ["gpu-1: GPU node by label triton-ops/pool=gpu; allocatable 1"] : [];
        expect(check, check.id).toMatchObject({ status: "pass", summary: expect.any(String), details });
        expect(Object.keys(check).sort()).toEqual(["details", "hint", "id", "status", "summary"]);
      }
    } finally {
      await standin.stop();
    }
  });

  it.each(Object.entries(BROKEN))(
    "scenario %s fails exactly its check and names the resource",
    async (_, broken) => {
      const standin = await startKubeStandin(withTriton(broken.scenario()));
      try {
        const { run, result, checks } = await verifyAgainst(standin);
        expect(run.code).toBe(1);
        expect(result.ok).toBe(false);
        expect(result.checks.filter((c) => c.status === "fail").map((c) => c.id)).toEqual([broken.fails]);
        expect(checks[broken.fails]!.summary).toContain(broken.names);
        expect(checks[broken.fails]!.hint).toBeTruthy();
      } finally {
        await standin.stop();
      }
    },
  );

  it("skips what depends on a failed prerequisite, naming it, instead of cascading failures", async () => {
    const standin = await startKubeStandin(withTriton({ ...healthy(), failWith: 401 }));
    try {
      const { run, checks } = await verifyAgainst(standin);
      expect(run.code).toBe(1);
      expect(checks["kubeconfig.works"]).toMatchObject({ status: "fail" });
      expect(checks["kubeconfig.works"]!.summary).toContain("401");
      for (const id of ["nodes.ready", "gpu.visible", "pods.running", "triton.ready", "monitoring.targets"]) {
        expect(checks[id], id).toMatchObject({ status: "skip", summary: "skipped: kubeconfig.works failed" });
      }
      expect(checks["cluster.exists"]!.status).toBe("pass");
    } finally {
      await standin.stop();
    }
  });

  it("fails ecr.images and vpc.no-orphans naming the missing tag and the stray VPC", async () => {
    const ec2 = new EC2Client({ region: "us-east-1", endpoint: moto.endpoint, credentials: creds });
    const stray = await ec2.send(
      new CreateVpcCommand({
        CidrBlock: "10.9.0.0/16",
        TagSpecifications: [
          {
            ResourceType: "vpc",
            Tags: [
              { Key: "Project", Value: "other" },
              { Key: "Environment", Value: "dev" },
            ],
          },
        ],
      }),
    );
    const orphan = await ec2.send(
      new CreateVpcCommand({
        CidrBlock: "10.8.0.0/16",
        TagSpecifications: [
          {
            ResourceType: "vpc",
            Tags: [
              { Key: "Project", Value: "acme" },
              { Key: "Environment", Value: "dev" },
              { Key: "Name", Value: "acme-dev-old" },
            ],
          },
        ],
      }),
    );
    ec2.destroy();
    const other = await makeProject({
      config: { ...config, triton: { imageTag: "25.01" } },
      outputs: { vpc: { vpc_id: vpcId }, eks: { cluster_name: "acme-dev" } },
    });
    const standin = await startKubeStandin(withTriton(healthy()));
    try {
      const { checks } = await verifyAgainst(standin, "--only ecr.images,vpc.no-orphans", other);
      expect(Object.keys(checks)).toEqual(["aws.identity", "ecr.images", "vpc.no-orphans"]);
      expect(checks["ecr.images"]).toMatchObject({ status: "fail" });
      expect(checks["ecr.images"]!.summary).toContain("no image tagged 25.01");
      expect(checks["vpc.no-orphans"]).toMatchObject({ status: "fail" });
      expect(checks["vpc.no-orphans"]!.summary).toContain(`${orphan.Vpc!.VpcId} (acme-dev-old)`);
      expect(checks["vpc.no-orphans"]!.summary).not.toContain(stray.Vpc!.VpcId!);
    } finally {
      await standin.stop();
    }
  });

  it("without a project config: current context, --cluster and --region; project checks skip saying why", async () => {
    const standin = await startKubeStandin(withTriton(healthy()));
    try {
      const { run, checks } = await verifyWithoutConfig(standin);
      expect(run.code, run.stdout).toBe(0);
      expect(checks["cluster.exists"]!.status).toBe("pass");
      expect(checks["pods.running"]!.status).toBe("pass");
      expect(checks["ecr.images"]).toMatchObject({ status: "skip" });
      expect(checks["ecr.images"]!.summary).toContain("no project config");
      expect(checks["vpc.no-orphans"]!.status).toBe("skip");
    } finally {
      await standin.stop();
    }
  });

  it("without a project config, finds a GPU node with no pool label by its nvidia.com/gpu capacity", async () => {
    const scenario = healthy();
    const gpuNode = scenario.objects.find((o) => o.kind === "Node" && o.metadata.name === "gpu-1")!;
    const labels = gpuNode.metadata.labels as Record<string, string>;
    delete labels["triton-ops/pool"];
    // An instance type outside the GPU family list, so only the capacity can tell.
    labels["node.kubernetes.io/instance-type"] = "x9.future";
    const standin = await startKubeStandin(withTriton(scenario));
    try {
      const { run, checks } = await verifyWithoutConfig(standin);
      expect(checks["gpu.visible"]).toEqual({
        id: "gpu.visible",
        status: "pass",
        summary: "1 GPU allocatable on 1 GPU node",
        details: ["gpu-1: GPU node by nvidia.com/gpu capacity 1; allocatable 1"],
        hint: null,
      });
      expect(run.code, run.stdout).toBe(0);

      // The same node without its capacity is no GPU node at all: the check can fail.
      const withoutGpu = healthy();
      for (const o of withoutGpu.objects) {
        if (o.kind !== "Node") continue;
        delete (o.metadata.labels as Record<string, string>)["triton-ops/pool"];
        (o.metadata.labels as Record<string, string>)["node.kubernetes.io/instance-type"] = "m5.large";
        const status = (o as unknown as { status: { capacity: object; allocatable: object } }).status;
        delete (status.capacity as Record<string, string>)["nvidia.com/gpu"];
        delete (status.allocatable as Record<string, string>)["nvidia.com/gpu"];
      }
      const cpu = await startKubeStandin(withoutGpu);
      try {
        const { run: failed, checks: after } = await verifyWithoutConfig(cpu, "--only gpu.visible");
        const gpu = after["gpu.visible"]!;
        expect(failed.code).toBe(1);
        expect(gpu.status).toBe("fail");
        expect(gpu.summary).toContain("no GPU node among the 3 nodes");
      } finally {
        await cpu.stop();
      }
    } finally {
      await standin.stop();
    }
  });

  it("fails triton.models naming a model that is not loaded, and --no-infer skips triton.infer", async () => {
    const sample = path.resolve(import.meta.dirname, "../../templates/sample-model/models");
    const explicit = await startTritonStandin(sample, { controlMode: "explicit" });
    const standin = await startKubeStandin({
      ...healthy(),
      proxyUpstreams: { "triton/triton:8000": explicit.url },
    });
    try {
      const { run, result, checks } = await verifyAgainst(standin);
      expect(run.code).toBe(1);
      // (An earlier test leaves a stray VPC in this emulator, so only the Triton checks are compared.)
      const failedTriton = result.checks.filter((c) => c.status === "fail" && c.id.startsWith("triton."));
      expect(failedTriton.map((c) => c.id)).toEqual(["triton.models"]);
      expect(checks["triton.ready"]!.status).toBe("pass"); // the empty server passes health, as the issue says
      expect(checks["triton.models"]).toMatchObject({
        summary: "1 of 1 model(s) not ready: identity",
        details: ["identity: UNAVAILABLE (unloaded)"],
      });
      expect(checks["triton.infer"]).toMatchObject({
        status: "skip",
        summary: "no READY model to send an inference to",
      });

      const loaded = await runCli(`models load identity --kubeconfig ${standin.kubeconfigPath}`, {
        cwd: project,
        env: moto.env,
      });
      expect(loaded.code, loaded.stderr).toBe(0);
      const after = await verifyAgainst(standin);
      expect(after.checks["triton.models"]!.status).toBe("pass");
      expect(after.checks["triton.infer"]).toMatchObject({
        status: "pass",
        summary: "one inference per ready model answered (1)",
      });
      expect(explicit.requests.some((r) => r.path === "/v2/models/identity/infer")).toBe(true);

      const skipped = await verifyAgainst(standin, "--no-infer");
      expect(skipped.checks["triton.infer"]).toMatchObject({
        status: "skip",
        summary: "skipped by --no-infer",
      });
    } finally {
      await standin.stop();
      await explicit.stop();
    }
  });

  it("reads triton.models on every ready replica: a model one pod has not loaded fails, naming the pod", async () => {
    const sample = path.resolve(import.meta.dirname, "../../templates/sample-model/models");
    // Explicit mode: a replica started after the last `models load` serves nothing until it is loaded.
    const [a, b] = await Promise.all([
      startTritonStandin(sample, { controlMode: "explicit" }),
      startTritonStandin(sample, { controlMode: "explicit" }),
    ]);
    const base = healthy();
    const labels = { "app.kubernetes.io/name": "triton" };
    const standin = await startKubeStandin({
      ...base,
      objects: [
        ...base.objects.filter((o) => !(o.kind === "Pod" && o.metadata.namespace === "triton")),
        pod("triton", "triton-a", { node: "gpu-1", labels }),
        pod("triton", "triton-b", { node: "gpu-1", labels }),
      ],
      // The Service reaches the replica that has the model, as kube-proxy may pick it.
      proxyUpstreams: { "triton/triton:8000": a.url },
      podUpstreams: { "triton/triton-a:8000": a.url, "triton/triton-b:8000": b.url },
    });
    try {
      const loadA = await fetch(`${a.url}/v2/repository/models/identity/load`, { method: "POST" });
      expect(loadA.status).toBe(200);
      const { checks } = await verifyAgainst(standin, "--only triton.models");
      expect(checks["triton.models"]).toMatchObject({
        status: "fail",
        summary: "1 of 1 model(s) not ready: identity",
        details: ["identity: UNAVAILABLE (on pod triton-b: unloaded)"],
      });
      // Through the Service alone this passed: the replica it reaches has the model.
      expect(b.requests.some((r) => r.path === "/v2/repository/index")).toBe(true);

      const loadB = await fetch(`${b.url}/v2/repository/models/identity/load`, { method: "POST" });
      expect(loadB.status).toBe(200);
      const after = await verifyAgainst(standin, "--only triton.models");
      expect(after.checks["triton.models"]).toMatchObject({
        status: "pass",
        summary: "1 model(s) READY on all 2 replicas: identity",
      });
    } finally {
      await standin.stop();
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("prints a table with marks and hints for people, and refuses bad flags with exit 2", async () => {
    const standin = await startKubeStandin(withTriton(BROKEN["triton-crashloop"]!.scenario()));
    try {
      const run = await runCli(`verify --kubeconfig ${standin.kubeconfigPath}`, {
        cwd: project,
        env: moto.env,
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/✖\s+pods\.running/);
      expect(run.stdout).toMatch(/✔\s+triton\.ready/);
      expect(run.stdout).toContain("triton/triton-7d9f8-abcde: Running, not Ready (CrashLoopBackOff)");
      expect(run.stdout).toContain("hint:");
      expect((await runCli("verify --timeout soon", { cwd: project, env: moto.env })).code).toBe(2);
      const unknown = await runCli("verify --only gpu.ok", { cwd: project, env: moto.env });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("Unknown check gpu.ok");
    } finally {
      await standin.stop();
    }
  });
});

describe("verify on the sandbox", () => {
  it("passes the AWS checks and skips the Kubernetes ones, saying the endpoint is not a real API", async () => {
    const sandboxProject = await makeProject({ config: { ...config, sandbox: true } });
    const env = { ...process.env, TRITON_OPS_PROVIDER_MIRROR: "/nonexistent" };
    const started = await runCli("sandbox start --json", { cwd: sandboxProject, env });
    expect(started.code, started.stderr).toBe(0);
    try {
      const endpoint = JSON.parse(started.stdout).endpoint as string;
      const seeded = await seedProjectAws({ endpoint, name: "acme", environment: "dev", imageTag: "24.08" });
      await writeFile(
        path.join(sandboxProject, ".triton-ops", "dev", "state", "vpc.tfstate"),
        JSON.stringify({
          version: 4,
          serial: 1,
          outputs: { vpc_id: { value: seeded.vpcId, type: "string" } },
          resources: [],
        }),
      );
      const run = await runCli("verify --json", { cwd: sandboxProject, env });
      const checks = byId(JSON.parse(run.stdout).checks);
      for (const id of ["aws.identity", "cluster.exists", "ecr.images", "vpc.no-orphans"]) {
        expect(checks[id], id).toMatchObject({ status: "pass" });
      }
      expect(checks["kubeconfig.works"]).toMatchObject({ status: "skip" });
      expect(checks["kubeconfig.works"]!.summary).toContain("not a real Kubernetes API");
      expect(checks["triton.ready"]).toMatchObject({
        status: "skip",
        summary: "skipped: kubeconfig.works was skipped",
      });
      expect(run.code).toBe(0);
    } finally {
      await runCli("sandbox stop", { cwd: sandboxProject, env });
    }
  });
});

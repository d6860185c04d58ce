// `verify` against an API that answers every request in 100 ms takes about as long as its slowest check,
// not the sum: the checks run concurrently. Subject: all the checks (CHECK_IDS, 14 now); reference: the
// slowest check alone (with the prerequisites it needs), both in-process through the built CLI against the
// Kubernetes stand-in (latencyMs 100). The cluster is the integration tests' healthy one
// (src/verify/verify.integration.test.ts): test/fixtures/verify/scenarios.ts's healthy() objects (with the
// cluster-autoscaler Deployment autoscaling.ready reads), the triton Service proxied to the Triton
// stand-in serving the sample model (triton.models, triton.infer), the project's config and stack outputs
// (test/support/project.ts), and in moto the project's cluster, image and VPC (test/support/aws-seed.ts)
// plus the GPU Auto Scaling group with the gpu-nodes stage's node-template tags (autoscaling.node-template).
// Every check must pass, or the run fails.

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { AutoScalingClient, CreateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { CreateLaunchTemplateCommand, EC2Client } from "@aws-sdk/client-ec2";
import { compare } from "./lib.mjs";
import { importTestFiles } from "./support/test-support.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The GPU node group's Auto Scaling group as EKS leaves it on AWS (the emulator makes none). */
async function seedGpuAutoScalingGroup(endpoint, name, tags) {
  const aws = {
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  const ec2 = new EC2Client(aws);
  const autoscaling = new AutoScalingClient(aws);
  try {
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: `${name}-lt`,
        LaunchTemplateData: { ImageId: "ami-12c6146b" },
      }),
    );
    await autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        LaunchTemplate: { LaunchTemplateName: `${name}-lt` },
        MinSize: 0,
        MaxSize: 2,
        AvailabilityZones: ["us-east-1a"],
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: false })),
      }),
    );
  } finally {
    ec2.destroy();
    autoscaling.destroy();
  }
}

export async function run({ repetitions = 7 } = {}) {
  const { main } = await import(pathToFileURL(path.join(root, "dist", "cli.js")).href);
  const { Interrupts } = await import(pathToFileURL(path.join(root, "dist", "signals.js")).href);
  const { startMoto, sandboxEnv, stopProcess } = await import(
    pathToFileURL(path.join(root, "dist", "sandbox", "sandbox.js")).href
  );
  const { CHECK_IDS } = await import(pathToFileURL(path.join(root, "dist", "verify", "checks.js")).href);
  const { startKubeStandin } = await importTestFiles(["support/kube-standin"]);
  const { startTritonStandin } = await importTestFiles(["support/triton-standin"]);
  const { seedProjectAws } = await importTestFiles(["support/aws-seed"]);
  const { makeProject } = await importTestFiles(["support/project"]);
  const { healthy } = await importTestFiles([
    "fixtures/verify/scenarios",
    "support/kube-fixtures",
    "support/kube-standin",
  ]);
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-verify-"));
  const moto = await startMoto({ workRoot: path.join(work, "moto"), env: process.env, detached: false });
  const env = sandboxEnv(process.env, moto.endpoint, "us-east-1");
  let standin;
  let triton;
  let project;
  try {
    // The healthy scenario's project: acme/dev, one GPU node, two system nodes, image 24.08.
    const { vpcId } = await seedProjectAws({
      endpoint: moto.endpoint,
      name: "acme",
      environment: "dev",
      imageTag: "24.08",
    });
    const nodeTemplate = {
      "k8s.io/cluster-autoscaler/enabled": "true",
      "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "1",
      "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
    };
    await seedGpuAutoScalingGroup(moto.endpoint, "eks-acme-dev-gpu", nodeTemplate);
    // The project as `up` leaves it (test/support/project.ts), with the integration test's config and outputs.
    project = await makeProject({
      config: { triton: { imageTag: "24.08" }, gpu: { desiredSize: 1 }, systemNodes: { size: 2 } },
      outputs: {
        vpc: { vpc_id: vpcId },
        eks: { cluster_name: "acme-dev" },
        "gpu-nodes": { gpu_autoscaling_group_name: "eks-acme-dev-gpu", gpu_node_template_tags: nodeTemplate },
      },
    });

    triton = await startTritonStandin(path.join(root, "templates", "sample-model", "models"));
    standin = await startKubeStandin({
      ...healthy(),
      latencyMs: 100,
      proxyUpstreams: { "triton/triton:8000": triton.url },
    });

    const verify = async (extra) => {
      let stdout = "";
      const ctx = {
        cwd: project,
        env: { ...env, CI: "true" },
        stdout: { write: (s) => (stdout += s) },
        stderr: { write: () => {} },
        stdinIsTTY: false,
        stderrIsTTY: false,
        interrupts: new Interrupts(),
      };
      const started = process.hrtime.bigint();
      const code = await main(["verify", "--json", "--kubeconfig", standin.kubeconfigPath, ...extra], ctx);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const result = JSON.parse(stdout);
      if (code !== 0 || result.checks.some((c) => c.status !== "pass"))
        throw new Error(
          `verify ${extra.join(" ")} exited ${code}: ${JSON.stringify(result.checks.filter((c) => c.status !== "pass"))}`,
        );
      return { ms };
    };

    // The slowest single check (median of three), with the prerequisite it cannot run without.
    await verify([]);
    standin.requests.reset();
    await verify([]);
    const requestsPerRun = standin.requests.count;
    let slowest = { id: "", ms: 0 };
    for (const id of CHECK_IDS) {
      const times = [];
      for (let i = 0; i < 3; i++) times.push((await verify(["--only", id])).ms);
      const ms = times.sort((a, b) => a - b)[1];
      if (ms > slowest.ms) slowest = { id, ms };
    }
    return [
      await compare({
        name: `verify: all ${CHECK_IDS.length} checks vs the slowest alone (${slowest.id}), API latency 100 ms`,
        subject: () => verify([]),
        reference: () => verify(["--only", slowest.id]),
        repetitions,
        target: 1.5,
        note: `${requestsPerRun} Kubernetes requests of 100 ms per full verify`,
      }),
    ];
  } finally {
    await standin?.stop();
    await triton?.stop();
    await stopProcess(moto.pid);
    await rm(work, { recursive: true, force: true });
    if (project) await rm(project, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run(), null, 2));
}

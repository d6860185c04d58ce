// `verify` against an API that answers every request in 100 ms takes about as long as its slowest check,
// not the sum: the checks run concurrently. Subject: all ten checks; reference: the slowest check alone
// (with the prerequisite it needs), both in-process through the built CLI against the Kubernetes
// stand-in (latencyMs 100) and a seeded moto.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compare } from "./lib.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const CHECKS = [
  "aws.identity",
  "cluster.exists",
  "kubeconfig.works",
  "nodes.ready",
  "gpu.visible",
  "pods.running",
  "triton.ready",
  "ecr.images",
  "vpc.no-orphans",
  "monitoring.targets",
];

/** The stand-in and its fixtures are TypeScript test support: transpile them once for plain node. */
async function loadTestSupport(dir) {
  const ts = (await import("typescript")).default;
  const yamlUrl = import.meta.resolve("yaml");
  const out = {};
  for (const name of ["kube-standin", "kube-fixtures"]) {
    const source = await readFile(path.join(root, "test", "support", `${name}.ts`), "utf8");
    const js = ts
      .transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      })
      .outputText.replace(/from "yaml"/g, `from "${yamlUrl}"`);
    await writeFile(path.join(dir, `${name}.js`), js);
  }
  out.standin = await import(pathToFileURL(path.join(dir, "kube-standin.js")).href);
  out.fixtures = await import(pathToFileURL(path.join(dir, "kube-fixtures.js")).href);
  return out;
}

async function seedAws(endpoint) {
  const config = {
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  const { EKSClient, CreateClusterCommand } = await import("@aws-sdk/client-eks");
  const { ECRClient, CreateRepositoryCommand, PutImageCommand } = await import("@aws-sdk/client-ecr");
  const { EC2Client, CreateVpcCommand } = await import("@aws-sdk/client-ec2");
  const eks = new EKSClient(config);
  const ecr = new ECRClient(config);
  const ec2 = new EC2Client(config);
  await eks.send(
    new CreateClusterCommand({
      name: "bench-dev",
      roleArn: "arn:aws:iam::123456789012:role/r",
      resourcesVpcConfig: { subnetIds: [] },
    }),
  );
  await ecr.send(new CreateRepositoryCommand({ repositoryName: "bench-dev-triton" }));
  await ecr.send(
    new PutImageCommand({
      repositoryName: "bench-dev-triton",
      imageTag: "latest",
      imageManifest: JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: {
          digest: `sha256:${"1".repeat(64)}`,
          size: 1,
          mediaType: "application/vnd.docker.container.image.v1+json",
        },
        layers: [],
      }),
    }),
  );
  const vpc = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: "10.0.0.0/16",
      TagSpecifications: [
        {
          ResourceType: "vpc",
          Tags: [
            { Key: "Project", Value: "bench" },
            { Key: "Environment", Value: "dev" },
          ],
        },
      ],
    }),
  );
  for (const c of [eks, ecr, ec2]) c.destroy();
  return vpc.Vpc.VpcId;
}

export async function run({ repetitions = 7 } = {}) {
  const { main } = await import(pathToFileURL(path.join(root, "dist", "cli.js")).href);
  const { Interrupts } = await import(pathToFileURL(path.join(root, "dist", "signals.js")).href);
  const { startMoto, sandboxEnv, stopProcess } = await import(
    pathToFileURL(path.join(root, "dist", "sandbox", "sandbox.js")).href
  );
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-verify-"));
  const support = await loadTestSupport(work);
  const moto = await startMoto({ workRoot: path.join(work, "moto"), env: process.env, detached: false });
  const env = sandboxEnv(process.env, moto.endpoint, "us-east-1");
  let standin;
  try {
    const vpcId = await seedAws(moto.endpoint);
    const project = path.join(work, "project");
    await mkdir(path.join(project, ".triton-ops", "dev", "state"), { recursive: true });
    await writeFile(
      path.join(project, "triton-ops.yaml"),
      "name: bench\nenvironment: dev\nregion: us-east-1\nsystemNodes: { size: 2 }\n",
    );
    const state = (outputs) =>
      JSON.stringify({
        version: 4,
        serial: 1,
        outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v }])),
        resources: [],
      });
    await writeFile(
      path.join(project, ".triton-ops", "dev", "state", "vpc.tfstate"),
      state({ vpc_id: vpcId }),
    );
    await writeFile(
      path.join(project, ".triton-ops", "dev", "state", "eks.tfstate"),
      state({ cluster_name: "bench-dev" }),
    );

    const f = support.fixtures;
    const targets = ["triton", "dcgm-exporter", "node-exporter"].map((job) => ({
      labels: { job, instance: job },
      health: "up",
    }));
    standin = await support.standin.startKubeStandin({
      latencyMs: 100,
      objects: [
        f.node("gpu-1", { gpus: 1 }),
        f.node("sys-1", { pool: "system" }),
        f.node("sys-2", { pool: "system" }),
        f.pod("triton", "triton-1", { node: "gpu-1" }),
        f.pod("monitoring", "prometheus-1", { node: "sys-1" }),
      ],
      proxy: {
        "triton/triton:8000/v2/health/ready": { status: 200, body: "" },
        "monitoring/prometheus:9090/api/v1/targets": {
          status: 200,
          body: { data: { activeTargets: targets } },
        },
      },
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
      if (code !== 0)
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
    for (const id of CHECKS) {
      const times = [];
      for (let i = 0; i < 3; i++) times.push((await verify(["--only", id])).ms);
      const ms = times.sort((a, b) => a - b)[1];
      if (ms > slowest.ms) slowest = { id, ms };
    }
    return [
      await compare({
        name: `verify: all 10 checks vs the slowest alone (${slowest.id}), API latency 100 ms`,
        subject: () => verify([]),
        reference: () => verify(["--only", slowest.id]),
        repetitions,
        target: 1.5,
        note: `${requestsPerRun} Kubernetes requests of 100 ms per full verify`,
      }),
    ];
  } finally {
    await standin?.stop();
    await stopProcess(moto.pid);
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run(), null, 2));
}

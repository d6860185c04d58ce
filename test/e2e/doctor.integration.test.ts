import { access, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/doctor/finding.js";
import { loadScenario, type ScenarioObjects } from "../support/doctor-scenarios.js";
import { type KubeObject, type KubeStandin, startKubeStandin } from "../support/kube-standin.js";
import { type Moto, startTestMoto } from "../support/moto.js";
import { makeProject } from "../support/project.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

// doctor through the whole CLI: the HTTPS Kubernetes stand-in via the real client library, AWS facts
// from moto, Terraform state from a project directory.

let moto: Moto;
const standins: KubeStandin[] = [];
let emptyDir: string;

const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: "application/vnd.docker.distribution.manifest.v2+json",
  config: {
    mediaType: "application/vnd.docker.container.image.v1+json",
    size: 7023,
    digest: `sha256:${"b".repeat(64)}`,
  },
  layers: [],
});

beforeAll(async () => {
  moto = await startTestMoto();
  emptyDir = await mkdtemp(path.join(os.tmpdir(), "triton-ops-doctor-"));
  // The project's repository exists in ECR with one tag; tag-missing scenarios ask for another one.
  const { ECRClient, CreateRepositoryCommand, PutImageCommand } = await import("@aws-sdk/client-ecr");
  const ecr = new ECRClient({
    region: "us-east-1",
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  await ecr.send(new CreateRepositoryCommand({ repositoryName: "triton-dev-triton" }));
  await ecr.send(
    new PutImageCommand({
      repositoryName: "triton-dev-triton",
      imageTag: "24.08-py3",
      imageManifest: MANIFEST,
    }),
  );
  ecr.destroy();
}, 60_000);

afterAll(async () => {
  await Promise.all(standins.map((s) => s.stop()));
  await moto?.stop();
});

async function standinFor(name: string, extra: { failWith?: number } = {}): Promise<KubeStandin> {
  const k = loadScenario(name).kubernetes as ScenarioObjects;
  const objects = [...k.nodes, ...k.pods, ...k.events, ...k.daemonSets, ...k.pvcs] as unknown as KubeObject[];
  const standin = await startKubeStandin({ objects, ...extra });
  standins.push(standin);
  return standin;
}

async function doctor(args: string, cwd = emptyDir) {
  const run = await runCli(`doctor --json ${args}`, {
    cwd,
    env: { ...moto.env, KUBECONFIG: path.join(cwd, "no-kubeconfig") },
  });
  const findings = run.stdout ? (JSON.parse(run.stdout) as { findings: Finding[] }).findings : [];
  return { ...run, findings, codes: findings.map((f) => `${f.code} ${f.resource}`).sort() };
}

describe("doctor through the Kubernetes stand-in and moto", () => {
  it("tells a missing ECR tag from a missing repository by asking ECR, and lists each kind once", async () => {
    const standin = await standinFor("image-ecr-tag-missing");
    standin.requests.reset();
    const run = await doctor(
      `--kubeconfig ${standin.kubeconfigPath} --cluster triton-dev --region us-east-1`,
    );
    expect(run.code).toBe(1);
    expect(run.codes).toEqual(["pod.image-pull.tag-missing Pod/triton/triton-7c9f8d6b5-q2w4e"]);
    const finding = run.findings[0]!;
    expect(finding.evidence.join("\n")).toContain(
      "ECR triton-dev-triton in us-east-1: exists; image 24.09-py3 does not exist",
    );
    expect(finding.fix[0]).toContain("aws ecr describe-images --repository-name triton-dev-triton");
    // One paged list per kind (and the version): never one call per object.
    const paths = standin.requests.log.map((r) => r.path);
    expect(paths.length).toBeLessThanOrEqual(8);
    expect(paths.filter((p) => p === "/api/v1/pods")).toHaveLength(1);
  });

  it("reports a repository ECR does not have as repo-missing", async () => {
    const standin = await standinFor("image-ecr-repo-missing");
    const run = await doctor(
      `--kubeconfig ${standin.kubeconfigPath} --cluster triton-dev --region us-east-1`,
    );
    expect(run.codes).toEqual(["pod.image-pull.repo-missing Pod/triton/triton-7c9f8d6b5-q2w4e"]);
    expect(run.findings[0]!.evidence.join("\n")).toContain("repository does not exist");
  });

  it("finds nothing wrong in a healthy cluster and exits 0", async () => {
    const standin = await standinFor("healthy");
    const run = await runCli(`doctor --kubeconfig ${standin.kubeconfigPath} --region us-east-1`, {
      cwd: emptyDir,
      env: moto.env,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("No problems found (3 nodes, 10 pods, 0 events)");
  });

  it("connects a lost GPU node, a blocked Triton pod and a failing pull in one run", async () => {
    const scenario = loadScenario("combined-gpu-node-lost");
    const standin = await standinFor(scenario.name);
    const run = await doctor(
      `--kubeconfig ${standin.kubeconfigPath} --cluster triton-dev --region us-east-1`,
    );
    expect(run.code).toBe(1);
    expect(run.codes).toEqual(scenario.expected.map((e) => `${e.code} ${e.resource}`).sort());
  });

  it("filters by --namespace and redacts account ids with --redact", async () => {
    const standin = await standinFor("image-ecr-tag-missing");
    const other = await doctor(
      `--kubeconfig ${standin.kubeconfigPath} --region us-east-1 --namespace monitoring`,
    );
    expect(other.code).toBe(0);
    expect(other.findings).toEqual([]);
    const redacted = await doctor(
      `--kubeconfig ${standin.kubeconfigPath} --cluster triton-dev --region us-east-1 --redact`,
    );
    expect(redacted.stdout).not.toContain("123456789012");
    expect(redacted.stdout).toContain(
      "<account-id>.dkr.ecr.us-east-1.amazonaws.com/triton-dev-triton:24.09-py3",
    );
  });

  it("reports refused credentials as one finding, not one per list", async () => {
    const standin = await standinFor("healthy", { failWith: 401 });
    const run = await doctor(
      `--kubeconfig ${standin.kubeconfigPath} --cluster triton-dev --region us-east-1`,
    );
    expect(run.code).toBe(1);
    expect(run.codes).toEqual(["k8s.unauthorized Cluster/triton-dev"]);
  });

  it("rejects bad flags with exit 2 and one line", async () => {
    const run = await runCli("doctor --since yesterday --region us-east-1", { cwd: emptyDir, env: moto.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--since yesterday is not a duration");
    expect(run.stderr).not.toContain("    at ");
    const ns = await runCli("doctor --namespace Bad_NS --region us-east-1", { cwd: emptyDir, env: moto.env });
    expect(ns.code).toBe(2);
  });
});

describe("doctor on a project whose cluster was deleted by hand", () => {
  it("reports the unreachable API once, and tf.cluster-missing from state vs moto", async () => {
    const cwd = await makeProject({
      config: { name: "triton", environment: "dev" },
      outputs: { eks: { cluster_name: "triton-dev", cluster_endpoint: "https://gone.example" } },
      resources: {
        eks: [
          {
            mode: "managed",
            type: "aws_eks_cluster",
            name: "this",
            instances: [
              {
                attributes: {
                  id: "triton-dev",
                  name: "triton-dev",
                  arn: "arn:aws:eks:us-east-1:123456789012:cluster/triton-dev",
                },
              },
            ],
          },
        ],
      },
    });
    await writeFile(path.join(cwd, "no-kubeconfig"), "");
    const run = await doctor("", cwd);
    expect(run.code).toBe(1);
    // The ECR repository seeded above is named like this project's: the next up would collide with it.
    expect(run.codes).toEqual([
      "k8s.unreachable Cluster/triton-dev",
      "tf.cluster-missing Stack/eks",
      "tf.exists-outside-state Stack/ecr",
    ]);
    const missing = run.findings.find((f) => f.code === "tf.cluster-missing")!;
    expect(missing.fix.join("\n")).toContain("state rm aws_eks_cluster.this");
    expect(run.findings.find((f) => f.code === "tf.exists-outside-state")!.fix[0]).toBe(
      "triton-ops import --stage ecr",
    );
  });
});

describe("up runs the preflight first", () => {
  it("stops before any Terraform work when a check fails: the account guard and a name collision", async () => {
    const cwd = await makeProject({
      config: { name: "triton", environment: "dev", allowedAccountIds: ["111111111111"] },
    });
    const run = await runCli("up --stage ecr --yes", {
      cwd,
      env: { ...moto.env, TRITON_OPS_PROVIDER_MIRROR: providerMirror() },
    });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain("Preflight failed: aws.account, names.collisions. Nothing was changed.");
    expect(run.stderr).toContain("triton-ops import --stage ecr");
    await expect(access(path.join(cwd, ".triton-ops", "dev", "state", "ecr.tfstate"))).rejects.toThrow();
  }, 60_000);
});

describe("doctor on the sandbox, as a new user would run it", () => {
  it("reports the unreachable Kubernetes API once, runs the AWS and Terraform checks, and preflight passes", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "triton-ops-doctor-sandbox-"));
    const env = { ...process.env, KUBECONFIG: path.join(cwd, "none") };
    expect((await runCli("init --yes --sandbox", { cwd, env })).code).toBe(0);
    try {
      const { readSandboxState, sandboxEnv } = await import("../../src/sandbox/sandbox.js");
      const first = await runCli("doctor --json", { cwd, env });
      expect(first.code).toBe(1);
      expect((JSON.parse(first.stdout) as { findings: Finding[] }).findings.map((f) => f.code)).toEqual([
        "k8s.unreachable",
      ]);
      // A leftover repository with the project's name: only the AWS side can show it.
      const state = await readSandboxState(path.join(cwd, ".triton-ops"));
      const { ECRClient, CreateRepositoryCommand } = await import("@aws-sdk/client-ecr");
      const awsEnv = sandboxEnv(process.env, state!.endpoint, "us-east-1");
      const ecr = new ECRClient({
        region: "us-east-1",
        endpoint: state!.endpoint,
        credentials: {
          accessKeyId: awsEnv.AWS_ACCESS_KEY_ID!,
          secretAccessKey: awsEnv.AWS_SECRET_ACCESS_KEY!,
        },
      });
      await ecr.send(new CreateRepositoryCommand({ repositoryName: "triton-dev-triton" }));
      ecr.destroy();
      const second = await runCli("doctor", { cwd, env });
      expect(second.code).toBe(1);
      expect(second.stdout.match(/^k8s\.unreachable/gm)).toHaveLength(1);
      expect(second.stdout).toContain("tf.exists-outside-state  Stack/ecr");
      expect(second.stdout).toContain("The sandbox emulates AWS only");

      const preflight = await runCli("doctor --preflight --json", { cwd, env });
      const checks = (JSON.parse(preflight.stdout) as { checks: Array<{ id: string; status: string }> })
        .checks;
      expect(Object.fromEntries(checks.map((c) => [c.id, c.status]))).toMatchObject({
        terraform: "pass",
        "aws.credentials": "pass",
        "aws.account": "pass",
        "aws.azs": "pass",
        "gpu.offerings": "pass",
        "gpu.quota": "warn",
        "aws.eips": "pass",
        "names.collisions": "fail",
      });
      expect(preflight.code).toBe(1);
    } finally {
      await runCli("sandbox stop", { cwd, env });
    }
  }, 120_000);
});

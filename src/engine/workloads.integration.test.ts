import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { node } from "../../test/support/kube-fixtures.js";
import { type KubeStandin, startKubeStandin } from "../../test/support/kube-standin.js";
import { makeProject, WORKLOAD_OUTPUTS as outputs } from "../../test/support/project.js";
import { runCli } from "../../test/support/run-cli.js";
import { startTritonStandin } from "../../test/support/triton-standin.js";

const env = { PATH: process.env.PATH, HOME: "/nonexistent", TRITON_OPS_GPU_WAIT_SECONDS: "0" };

let standin: KubeStandin;
beforeAll(async () => {
  standin = await startKubeStandin({
    objects: [node("gpu-1", { gpus: 1 }), node("sys-1", { pool: "system" })],
  });
});
afterAll(async () => standin?.stop());

const ours = (s: KubeStandin, apiVersion: string, kind: string) =>
  s.store
    .list(apiVersion, kind)
    .filter((o) => o.metadata.labels?.["app.kubernetes.io/managed-by"] === "triton-ops");

describe("the workloads stage against a cluster", () => {
  it("applies everything server-side, then finds it unchanged, keeping Grafana's password", async () => {
    const project = await makeProject({ outputs });
    standin.requests.reset();
    const first = await runCli(`up --stage workloads --yes --json --kubeconfig ${standin.kubeconfigPath}`, {
      cwd: project,
      env,
    });
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).stages[0]).toMatchObject({ stage: "workloads", status: "applied" });
    const patches = standin.requests.log.filter((r) => r.method === "PATCH");
    expect(patches.length).toBeGreaterThan(20);
    expect(
      patches.every(
        (r) => r.query.fieldManager === "triton-ops" && r.contentType === "application/apply-patch+yaml",
      ),
    ).toBe(true);
    const triton = standin.store.get("apps/v1", "Deployment", "triton", "triton");
    expect(triton?.spec.template.spec.containers[0].image).toBe(
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-dev-triton:latest",
    );
    expect(
      ours(standin, "apps/v1", "DaemonSet")
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(["dcgm-exporter", "node-exporter", "nvidia-device-plugin"]);
    const secret = standin.store.get("v1", "Secret", "grafana-admin", "monitoring");
    const password = Buffer.from(secret?.data["admin-password"], "base64").toString();
    expect(password.length).toBeGreaterThanOrEqual(24);
    expect(first.stdout + first.stderr).not.toContain(password);

    const second = await runCli(`up --stage workloads --yes --json --kubeconfig ${standin.kubeconfigPath}`, {
      cwd: project,
      env,
    });
    expect(JSON.parse(second.stdout).stages[0]).toMatchObject({ status: "unchanged" });
    const again = standin.store.get("v1", "Secret", "grafana-admin", "monitoring");
    expect(Buffer.from(again?.data["admin-password"], "base64").toString()).toBe(password);
  });

  it("prunes objects it owns that are no longer rendered, and leaves others alone", async () => {
    const project = await makeProject({ outputs });
    const labels = { "app.kubernetes.io/managed-by": "triton-ops", "triton-ops/instance": "acme-dev" };
    standin.store.add(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "old-dashboards", namespace: "monitoring", labels },
      },
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "someone-elses", namespace: "monitoring" } },
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
          name: "other-env",
          namespace: "monitoring",
          labels: { ...labels, "triton-ops/instance": "acme-prod" },
        },
      },
    );
    const run = await runCli(`up --stage workloads --yes --json --kubeconfig ${standin.kubeconfigPath}`, {
      cwd: project,
      env,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).stages[0].message).toContain("1 pruned");
    expect(standin.store.get("v1", "ConfigMap", "old-dashboards", "monitoring")).toBeUndefined();
    expect(standin.store.get("v1", "ConfigMap", "someone-elses", "monitoring")).toBeDefined();
    expect(standin.store.get("v1", "ConfigMap", "other-env", "monitoring")).toBeDefined();
  });

  it("down deletes what it owns, LoadBalancer Services first", async () => {
    const project = await makeProject({ outputs, config: { triton: { serviceType: "LoadBalancer" } } });
    const up = await runCli(`up --stage workloads --yes --kubeconfig ${standin.kubeconfigPath}`, {
      cwd: project,
      env,
    });
    expect(up.code, up.stderr).toBe(0);
    expect(standin.store.get("v1", "Service", "triton", "triton")?.spec.type).toBe("LoadBalancer");
    standin.requests.reset();
    const down = await runCli(`down --stage workloads --yes --json --kubeconfig ${standin.kubeconfigPath}`, {
      cwd: project,
      env,
    });
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout).stages[0]).toMatchObject({ stage: "workloads", status: "destroyed" });
    const deletes = standin.requests.log.filter((r) => r.method === "DELETE").map((r) => r.path);
    expect(deletes[0]).toBe("/api/v1/namespaces/triton/services/triton");
    expect(deletes.at(-1)).toMatch(/^\/api\/v1\/namespaces\/[a-z]+$/);
    for (const [apiVersion, kind] of [
      ["apps/v1", "Deployment"],
      ["apps/v1", "DaemonSet"],
      ["v1", "Service"],
      ["v1", "Secret"],
      ["v1", "Namespace"],
    ] as const) {
      expect(
        ours(standin, apiVersion, kind).filter(
          (o) => o.metadata.labels?.["triton-ops/instance"] === "acme-dev",
        ),
      ).toEqual([]);
    }
    expect(standin.store.get("v1", "ConfigMap", "someone-elses", "monitoring")).toBeDefined();
  });

  it("asks before deleting when not given --yes, and a no keeps everything", async () => {
    const project = await makeProject({ outputs });
    await runCli(`up --stage workloads --yes --kubeconfig ${standin.kubeconfigPath}`, { cwd: project, env });
    const down = await runCli(`down --stage workloads --kubeconfig ${standin.kubeconfigPath}`, {
      cwd: project,
      env,
      tty: true,
      answers: [{ question: /Delete these Kubernetes objects\?/, answer: false }],
    });
    expect(down.asked).toHaveLength(1);
    expect(standin.store.get("apps/v1", "Deployment", "triton", "triton")).toBeDefined();
  });
});

describe("the GPU gate", () => {
  let noGpu: KubeStandin;
  beforeAll(async () => {
    noGpu = await startKubeStandin({ objects: [node("gpu-1", { gpus: 0 })] });
  });
  afterAll(async () => noGpu?.stop());

  it("refuses to deploy Triton while no node has allocatable nvidia.com/gpu, and says why", async () => {
    const project = await makeProject({ outputs });
    const run = await runCli(`up --stage workloads --yes --kubeconfig ${noGpu.kubeconfigPath}`, {
      cwd: project,
      env,
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("No node has allocatable nvidia.com/gpu");
    expect(run.stderr).toContain("--force");
    expect(noGpu.store.get("apps/v1", "Deployment", "triton", "triton")).toBeUndefined();
    expect(noGpu.store.get("apps/v1", "DaemonSet", "nvidia-device-plugin", "kube-system")).toBeDefined();
  });

  it("deploys it anyway with --force", async () => {
    const project = await makeProject({ outputs });
    const run = await runCli(`up --stage workloads --yes --force --kubeconfig ${noGpu.kubeconfigPath}`, {
      cwd: project,
      env,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(noGpu.store.get("apps/v1", "Deployment", "triton", "triton")).toBeDefined();
  });
});

describe("rollouts", () => {
  it("fails the stage with a rollout timeout when pods never become ready", async () => {
    const stuck = await startKubeStandin({ objects: [node("gpu-1")], rollout: "stuck" });
    try {
      const project = await makeProject({ outputs });
      const run = await runCli(`up --stage workloads --yes --kubeconfig ${stuck.kubeconfigPath}`, {
        cwd: project,
        env: { ...env, TRITON_OPS_ROLLOUT_TIMEOUT_SECONDS: "1" },
      });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/did not finish rolling out in 1 s \(0\/1 ready\)/);
    } finally {
      await stuck.stop();
    }
  });
});

describe("explicit model control", () => {
  it("loads the repository's models after the rollout and fails the stage naming one that is not READY", async () => {
    const sample = new URL("../../templates/sample-model/models", import.meta.url).pathname;
    const failLoad: Record<string, string> = { identity: "Failed to initialize Python stub: ImportError" };
    // As the rendered Deployment starts it: --model-control-mode=explicit --load-model=*.
    const triton = await startTritonStandin(sample, { controlMode: "explicit", loadAll: true, failLoad });
    const kube = await startKubeStandin({
      objects: [node("gpu-1", { gpus: 1 })],
      proxyUpstreams: { "triton/triton:8000": triton.url },
    });
    try {
      const project = await makeProject({ outputs, config: { triton: { modelControlMode: "explicit" } } });
      const up = () =>
        runCli(`up --stage workloads --yes --json --kubeconfig ${kube.kubeconfigPath}`, {
          cwd: project,
          env,
        });
      const failed = await up();
      expect(failed.code).toBe(3);
      expect(failed.stderr).toMatch(/Triton rolled out, but 1 of 1 model\(s\) not READY/);
      expect(failed.stderr).toContain("identity: UNAVAILABLE: Failed to initialize Python stub: ImportError");

      delete failLoad.identity; // the model fixed in the repository
      const fixed = await up();
      expect(fixed.code, fixed.stderr).toBe(0);
      expect(JSON.parse(fixed.stdout).stages[0].message).toMatch(/, 1 model\(s\) loaded and READY$/);
      expect(triton.requests).toContainEqual({ method: "POST", path: "/v2/repository/models/identity/load" });
    } finally {
      await kube.stop();
      await triton.stop();
    }
  });
});

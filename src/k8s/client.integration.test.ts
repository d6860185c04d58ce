import { mkdtemp, writeFile } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployment, namespace, node, pod, service } from "../../test/support/kube-fixtures.js";
import { type KubeStandin, startKubeStandin } from "../../test/support/kube-standin.js";
import { ExternalError, UserError } from "../errors.js";
import { loadKubeTarget } from "./connect.js";

let standin: KubeStandin;

beforeAll(async () => {
  const pods = Array.from({ length: 1203 }, (_, i) =>
    pod(i % 2 ? "triton" : "monitoring", `p-${String(i).padStart(4, "0")}`, {
      node: i % 3 === 0 ? "gpu-a" : "sys-a",
      labels: { app: i % 2 ? "triton" : "prometheus", tier: i % 5 === 0 ? "edge" : "core" },
      phase: i === 7 ? "Pending" : "Running",
    }),
  );
  standin = await startKubeStandin({
    objects: [
      node("gpu-a", { gpus: 4 }),
      node("sys-a", { pool: "system" }),
      namespace("triton"),
      ...pods,
      deployment("triton", "triton"),
      service("triton", "triton", { ports: [8000, 8001, 8002] }),
    ],
    proxy: {
      "triton/triton:8000/v2/health/ready": { status: 200, body: "" },
      "monitoring/prometheus:9090/api/v1/targets": { status: 200, body: { status: "success" } },
    },
  });
});
afterAll(async () => standin?.stop());

const client = (extra: { kubeconfig?: string } = {}) =>
  loadKubeTarget({ kubeconfig: extra.kubeconfig ?? standin.kubeconfigPath, env: {} });

describe("KubeClient over the real client library", () => {
  it("reads the version and lists every page with limit/continue", async () => {
    const kube = client();
    expect((await kube.version()).gitVersion).toMatch(/^v1\.31/);
    standin.requests.reset();
    const pods = await kube.listPods({ pageSize: 100 });
    expect(pods).toHaveLength(1203);
    expect(new Set(pods.map((p) => p.metadata?.name)).size).toBe(1203);
    const pageCalls = standin.requests.log.filter((r) => r.path === "/api/v1/pods");
    expect(pageCalls).toHaveLength(13);
    expect(pageCalls.every((r) => r.query.limit === "100")).toBe(true);
    expect(pageCalls.slice(1).every((r) => typeof r.query.continue === "string")).toBe(true);
  });

  it("uses 500 as the default page size", async () => {
    standin.requests.reset();
    await client().listPods();
    const pages = standin.requests.log.filter((r) => r.path === "/api/v1/pods");
    expect(pages.map((r) => r.query.limit)).toEqual(["500", "500", "500"]);
  });

  it("filters by namespace, label and field selectors", async () => {
    const kube = client();
    const inTriton = await kube.listPods({ namespace: "triton" });
    expect(inTriton).toHaveLength(601);
    expect(inTriton.every((p) => p.metadata?.namespace === "triton")).toBe(true);
    const edge = await kube.listPods({ labelSelector: "app=triton,tier in (edge)" });
    expect(edge.length).toBeGreaterThan(0);
    expect(edge.every((p) => p.metadata?.labels?.tier === "edge" && p.metadata.labels.app === "triton")).toBe(
      true,
    );
    const onGpu = await kube.listPods({ fieldSelector: "spec.nodeName=gpu-a" });
    expect(onGpu).toHaveLength(401);
    const notRunning = await kube.listPods({ fieldSelector: "status.phase!=Running" });
    expect(notRunning.map((p) => p.metadata?.name)).toEqual(["p-0007"]);
    const nodes = await kube.listNodes({ labelSelector: "triton-ops/pool=gpu" });
    expect(nodes.map((n) => n.metadata?.name)).toEqual(["gpu-a"]);
    expect(nodes[0]?.status?.allocatable?.["nvidia.com/gpu"]).toBe("4");
  });

  it("applies server-side with the field manager, reads it back, and deletes it", async () => {
    const kube = client();
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "settings",
        namespace: "triton",
        labels: { "app.kubernetes.io/managed-by": "triton-ops" },
      },
      data: { a: "1" },
    };
    standin.requests.reset();
    const stored = await kube.apply(cm, "triton-ops");
    expect(stored.metadata?.uid).toBeTruthy();
    const patch = standin.requests.log.find((r) => r.method === "PATCH");
    expect(patch?.contentType).toBe("application/apply-patch+yaml");
    expect(patch?.query).toMatchObject({ fieldManager: "triton-ops", force: "true" });
    const read = await kube.read("v1", "ConfigMap", "settings", "triton");
    expect((read as { data?: Record<string, string> }).data).toEqual({ a: "1" });
    const owned = await kube.listByKind("v1", "ConfigMap", {
      labelSelector: "app.kubernetes.io/managed-by=triton-ops",
    });
    expect(owned.map((o) => o.metadata?.name)).toEqual(["settings"]);
    await kube.delete(cm);
    expect(await kube.read("v1", "ConfigMap", "settings", "triton")).toBeUndefined();
    // Deleting what is already gone is success.
    await expect(kube.delete(cm)).resolves.toBeUndefined();
  });

  it("waits for a rollout and reports progress", async () => {
    const kube = client();
    const seen: string[] = [];
    const result = await kube.waitForRollout("Deployment", "triton", "triton", {
      timeoutMs: 5000,
      onProgress: (p) => seen.push(`${p.ready}/${p.desired}`),
    });
    expect(result).toEqual({ ready: 1, desired: 1 });
    expect(seen).toEqual(["1/1"]);
  });

  it("GETs through the service proxy and returns the service's status", async () => {
    const kube = client();
    expect(await kube.proxyGet("triton", "triton", 8000, "/v2/health/ready")).toEqual({
      status: 200,
      body: "",
    });
    const targets = await kube.proxyGet("monitoring", "prometheus", 9090, "/api/v1/targets");
    expect(JSON.parse(targets.body)).toEqual({ status: "success" });
    const missing = await kube.proxyGet("triton", "nothing", 8000, "/v2/health/ready");
    expect(missing.status).toBe(503);
  });

  it("POSTs a body through one pod's proxy; a missing pod is 404 and one not running 503", async () => {
    const seen: Array<{ method: string; url: string; body: string }> = [];
    const upstream = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", body });
        res.writeHead(200, { "content-type": "application/json" }).end('{"loaded":true}');
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`;
    const s = await startKubeStandin({
      objects: [pod("triton", "triton-a"), pod("triton", "triton-p", { phase: "Pending" })],
      podUpstreams: { "triton/triton-a:8000": url, "triton/triton-p:8000": url },
    });
    try {
      const kube = loadKubeTarget({ kubeconfig: s.kubeconfigPath, env: {} });
      const answer = await kube.podProxyRequest?.("triton", "triton-a", 8000, "POST", "/v2/x/load", "{}");
      expect(answer).toEqual({ status: 200, body: '{"loaded":true}' });
      expect(seen).toEqual([{ method: "POST", url: "/v2/x/load", body: "{}" }]);
      expect(decodeURIComponent(s.requests.log.at(-1)?.path ?? "")).toBe(
        "/api/v1/namespaces/triton/pods/triton-a:8000/proxy/v2/x/load",
      );
      expect((await kube.podProxyRequest?.("triton", "gone", 8000, "GET", "/v2/health/ready"))?.status).toBe(
        404,
      );
      expect(
        (await kube.podProxyRequest?.("triton", "triton-p", 8000, "GET", "/v2/health/ready"))?.status,
      ).toBe(503);
      expect(seen).toHaveLength(1);
    } finally {
      await s.stop();
      upstream.close();
    }
  });
});

describe("failures are one line with a stable code", () => {
  const failing = async (failWith: number) => {
    const s = await startKubeStandin({ failWith });
    try {
      return await loadKubeTarget({ kubeconfig: s.kubeconfigPath, env: {} })
        .listNodes()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
    } finally {
      await s.stop();
    }
  };

  it.each([
    [401, "k8s.unauthorized"],
    [403, "k8s.forbidden"],
    [500, "k8s.error"],
  ])("maps %i to %s", async (status, code) => {
    const error = await failing(status);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).code).toBe(code);
    expect((error as Error).message).not.toContain("\n");
    expect((error as Error).message).toContain(standin.url.replace(/:\d+$/, ""));
  });

  it("maps a wrong bearer token to k8s.unauthorized", async () => {
    const file = await standin.writeKubeconfig({ token: "not-the-token" });
    await expect(client({ kubeconfig: file }).listNodes()).rejects.toMatchObject({
      code: "k8s.unauthorized",
    });
  });

  it("maps a refused connection to k8s.unreachable naming the server", async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, "127.0.0.1", () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const file = await standin.writeKubeconfig({ server: `https://127.0.0.1:${port}` });
    const error = (await client({ kubeconfig: file })
      .version()
      .catch((e: unknown) => e)) as ExternalError;
    expect(error.code).toBe("k8s.unreachable");
    expect(error.message).toContain(`https://127.0.0.1:${port}`);
  });

  it("maps a certificate that does not match the kubeconfig's CA to k8s.tls", async () => {
    const other = await startKubeStandin();
    try {
      const file = await standin.writeKubeconfig({ caData: other.caData });
      const error = (await client({ kubeconfig: file })
        .version()
        .catch((e: unknown) => e)) as ExternalError;
      expect(error.code).toBe("k8s.tls");
    } finally {
      await other.stop();
    }
  });

  it("times out a silent server as k8s.unreachable", async () => {
    const silent = net.createServer(() => {}).listen(0, "127.0.0.1");
    await new Promise((r) => silent.once("listening", r));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const file = await standin.writeKubeconfig({ server: `https://127.0.0.1:${port}` });
      const kube = loadKubeTarget({ kubeconfig: file, env: {}, client: { requestTimeoutMs: 300 } });
      await expect(kube.version()).rejects.toMatchObject({ code: "k8s.unreachable" });
    } finally {
      silent.close();
    }
  });
});

describe("loadKubeTarget", () => {
  it("refuses a missing kubeconfig file and a missing context as usage errors", async () => {
    expect(() => loadKubeTarget({ kubeconfig: "/nonexistent/kubeconfig", env: {} })).toThrow(UserError);
    expect(() => loadKubeTarget({ kubeconfig: standin.kubeconfigPath, context: "nope", env: {} })).toThrow(
      /Context nope is not in kubeconfig .*it has: standin/,
    );
  });

  it("respects KUBECONFIG as a path list, first file winning", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kcfg-"));
    const broken = path.join(dir, "other");
    await writeFile(
      broken,
      "apiVersion: v1\nkind: Config\nclusters: [{name: x, cluster: {server: 'https://127.0.0.1:1'}}]\nusers: [{name: x, user: {}}]\ncontexts: [{name: x, context: {cluster: x, user: x}}]\n",
    );
    const kube = loadKubeTarget({
      env: { KUBECONFIG: `${standin.kubeconfigPath}${path.delimiter}${broken}` },
    });
    expect(kube.server).toBe(standin.url);
    const viaContext = loadKubeTarget({
      env: { KUBECONFIG: `${broken}${path.delimiter}${standin.kubeconfigPath}` },
      context: "standin",
    });
    expect((await viaContext.version()).major).toBe("1");
  });
});

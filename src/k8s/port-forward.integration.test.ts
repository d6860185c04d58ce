import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pod } from "../../test/support/kube-fixtures.js";
import { type KubeStandin, startKubeStandin } from "../../test/support/kube-standin.js";
import { runCli } from "../../test/support/run-cli.js";
import { loadKubeTarget } from "./connect.js";
import { parseForwardName, parsePort, planForward, startForwarding } from "./port-forward.js";

let standin: KubeStandin;
let grafana: http.Server;
beforeAll(async () => {
  // Plays Grafana inside the pod: the tunnel ends here.
  grafana = http.createServer((req, res) => res.end(`grafana says hello to ${req.url}`));
  await new Promise<void>((resolve) => grafana.listen(0, "127.0.0.1", resolve));
  standin = await startKubeStandin({
    portForward: { "monitoring/grafana-new:3000": (grafana.address() as net.AddressInfo).port },
    objects: [
      pod("monitoring", "grafana-old", {
        phase: "Running",
        ready: false,
        labels: { "app.kubernetes.io/name": "grafana" },
      }),
      pod("monitoring", "grafana-new", { labels: { "app.kubernetes.io/name": "grafana" } }),
      pod("triton", "triton-a", { phase: "Pending", labels: { "app.kubernetes.io/name": "triton" } }),
    ],
  });
});
afterAll(async () => {
  await standin?.stop();
  grafana?.close();
});

describe("port-forward", () => {
  it("picks a Running and Ready pod behind the service and says where Grafana's password lives", async () => {
    const kube = loadKubeTarget({ kubeconfig: standin.kubeconfigPath, env: {} });
    const plan = await planForward(kube, "grafana");
    expect(plan).toMatchObject({ namespace: "monitoring", pod: "grafana-new", port: 3000 });
    expect(plan.passwordNote).toContain("Secret monitoring/grafana-admin");
    expect(plan.passwordNote).toContain("kubectl -n monitoring get secret grafana-admin");
  });

  it("fails with one line when no pod is ready", async () => {
    const kube = loadKubeTarget({ kubeconfig: standin.kubeconfigPath, env: {} });
    await expect(planForward(kube, "triton")).rejects.toMatchObject({
      code: "port-forward.no-pod",
      message: "No Running and Ready triton pod in namespace triton (1 found) to forward to.",
    });
    const run = await runCli(
      `port-forward triton --kubeconfig ${standin.kubeconfigPath} --region us-east-1`,
      {
        cwd: "/",
        env: {},
      },
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("No Running and Ready triton pod");
  });

  it("tunnels HTTP through the API server's port-forward to the pod", async () => {
    const kube = loadKubeTarget({ kubeconfig: standin.kubeconfigPath, env: {} });
    const plan = await planForward(kube, "grafana");
    const errors: string[] = [];
    const forwarding = await startForwarding(kube, plan, 0, (m) => errors.push(m));
    try {
      standin.requests.reset();
      const body = async (path: string) => (await fetch(`${forwarding.url}${path}`)).text();
      expect(await body("/api/health")).toBe("grafana says hello to /api/health");
      expect(await body("/login")).toBe("grafana says hello to /login");
      const upgrades = standin.requests.log.filter((r) => r.method === "UPGRADE");
      expect(upgrades[0]).toMatchObject({
        path: "/api/v1/namespaces/monitoring/pods/grafana-new/portforward",
        query: { ports: "3000" },
      });
      expect(errors).toEqual([]);
    } finally {
      await forwarding.close();
    }
  });

  it("listens on loopback and stops cleanly; a busy port is a usage error", async () => {
    const kube = loadKubeTarget({ kubeconfig: standin.kubeconfigPath, env: {} });
    const plan = await planForward(kube, "grafana");
    const forwarding = await startForwarding(kube, plan, 0, () => {});
    expect(forwarding.url).toBe(`http://127.0.0.1:${forwarding.port}`);
    await expect(startForwarding(kube, plan, forwarding.port, () => {})).rejects.toMatchObject({
      code: "port-forward.port-in-use",
    });
    await forwarding.close();
    await expect(
      new Promise((resolve, reject) =>
        net.connect(forwarding.port, "127.0.0.1").on("connect", resolve).on("error", reject),
      ),
    ).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("refuses unknown services and bad ports", async () => {
    expect(() => parseForwardName("mysql")).toThrow(/Cannot forward to "mysql"/);
    expect(() => parsePort("99999")).toThrow(/not a TCP port/);
    expect(parsePort("0")).toBe(0);
    const run = await runCli("port-forward mysql", { cwd: "/", env: {} });
    expect(run.code).toBe(2);
  });
});

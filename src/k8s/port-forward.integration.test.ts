import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pod } from "../../test/support/kube-fixtures.js";
import { type KubeStandin, startKubeStandin } from "../../test/support/kube-standin.js";
import { runCli } from "../../test/support/run-cli.js";
import { loadKubeTarget } from "./connect.js";
import { parseForwardName, parsePort, planForward, startForwarding } from "./port-forward.js";

let standin: KubeStandin;
beforeAll(async () => {
  standin = await startKubeStandin({
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
afterAll(async () => standin?.stop());

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

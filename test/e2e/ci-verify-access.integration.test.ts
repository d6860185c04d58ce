import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEPLOY_NAMESPACES } from "../../src/ci/delivery-rules.js";
import type { CHECK_IDS, CheckResult } from "../../src/verify/checks.js";
import { healthy } from "../fixtures/verify/scenarios.js";
import { seedProjectAws } from "../support/aws-seed.js";
import { startKubeStandin } from "../support/kube-standin.js";
import { type Moto, startTestMoto } from "../support/moto.js";
import { runCli } from "../support/run-cli.js";
import { startTritonStandin, type TritonStandin } from "../support/triton-standin.js";

/**
 * The deploy workflow's last step, `triton-ops verify --cluster NAME --region R` with the kubeconfig
 * `aws eks update-kubeconfig` writes, against an API server that enforces only what the eks stack grants
 * the deploy role (EKS access policies, docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html):
 * AmazonEKSAdminPolicy in triton and monitoring (every verb there), and AmazonEKSViewPolicy at cluster
 * scope (get/list/watch of everything but Secrets). Without the cluster-scoped view, listing nodes is
 * refused, as it was on first contact.
 */
const NAMESPACED = new RegExp(`^/(api/v1|apis/[^/]+/[^/]+)/namespaces/(${DEPLOY_NAMESPACES.join("|")})/`);
const DISCOVERY = /^\/(version|api|apis)(\/|$)/;

function eksAccess(withClusterView: boolean) {
  return ({ method, path }: { method: string; path: string }): boolean => {
    if (NAMESPACED.test(path)) return true;
    if (method !== "GET") return false;
    if (/\/secrets(\/|$)/.test(path)) return false;
    if (withClusterView) return true;
    // Namespace-scoped policies alone: discovery, and nothing cluster-scoped.
    return DISCOVERY.test(path) && !/\/(nodes|namespaces|pods|events)/.test(path);
  };
}

let moto: Moto;
// verify also proves Triton serves (triton.models, triton.infer), through the service proxy in `triton`.
let triton: TritonStandin;

beforeAll(async () => {
  triton = await startTritonStandin(path.resolve(import.meta.dirname, "../../templates/sample-model/models"));
  moto = await startTestMoto();
  await seedProjectAws({ endpoint: moto.endpoint, name: "acme", environment: "dev", imageTag: "24.08" });
}, 300_000);
afterAll(async () => {
  await moto?.stop();
  await triton?.stop();
});

async function verifyWith(withClusterView: boolean) {
  const standin = await startKubeStandin({
    ...healthy(),
    proxyUpstreams: { "triton/triton:8000": triton.url },
    authorize: eksAccess(withClusterView),
  });
  try {
    const run = await runCli("verify --json --cluster acme-dev --region us-east-1", {
      cwd: standin.kubeconfigPath.replace(/\/[^/]+$/, ""),
      env: { ...moto.env, KUBECONFIG: standin.kubeconfigPath },
    });
    const checks = JSON.parse(run.stdout).checks as CheckResult[];
    return { run, checks: Object.fromEntries(checks.map((c) => [c.id, c])) };
  } finally {
    await standin.stop();
  }
}

describe("the deploy role's access is exactly what the workflow's verify needs", () => {
  it("passes verify with namespace admin in triton and monitoring plus view at cluster scope", async () => {
    const { run, checks } = await verifyWith(true);
    expect(run.code, run.stdout).toBe(0);
    // The checks that read the cluster through the API server, typed against verify's own ids so a renamed
    // check fails to compile here rather than passing as "undefined".
    const throughKubernetes: ReadonlyArray<(typeof CHECK_IDS)[number]> = [
      "kubeconfig.works",
      "nodes.ready",
      "gpu.visible",
      "pods.running",
      "triton.ready",
      "triton.models",
      "triton.infer",
    ];
    for (const id of throughKubernetes) {
      expect(checks[id]?.status, `${id}: ${checks[id]?.summary}`).toBe("pass");
    }
    // Word-bounded: the stand-in's random port (e.g. 40355) must not pass for a 403.
    expect(run.stdout).not.toMatch(/forbidden|\b403\b/i);
  });

  it("fails listing nodes with namespace-scoped policies only, as the stand-in API server refuses it", async () => {
    const { run, checks } = await verifyWith(false);
    expect(run.code).toBe(1);
    expect(checks["nodes.ready"]?.status).toBe("fail");
    expect(JSON.stringify(checks["nodes.ready"])).toMatch(/\b403\b|forbidden/i);
  });
});

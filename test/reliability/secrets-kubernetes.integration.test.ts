import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesUnder } from "../support/files.js";
import { node } from "../support/kube-fixtures.js";
import { type KubeStandin, startKubeStandin } from "../support/kube-standin.js";
import { type Moto, startTestMoto } from "../support/moto.js";
import { makeProject, WORKLOAD_OUTPUTS as outputs } from "../support/project.js";
import { runCli } from "../support/run-cli.js";

/**
 * The Kubernetes side's secrets (the Grafana admin password, the API server's bearer token, an EKS
 * token) never reach output or files, through every command that handles them, with --verbose.
 */
describe("Kubernetes secrets stay out of output and files", () => {
  let standin: KubeStandin;
  let moto: Moto;
  let project: string;
  const printed: string[] = [];

  beforeAll(async () => {
    [standin, moto] = await Promise.all([
      startKubeStandin({ objects: [node("gpu-1", { gpus: 1 }), node("sys-1", { pool: "system" })] }),
      startTestMoto(),
    ]);
    project = await makeProject({ outputs });
  });
  afterAll(async () => {
    await Promise.all([standin?.stop(), moto?.stop()]);
  });

  it("workloads, render, verify, doctor, kubeconfig and token print none of them", async () => {
    const env = {
      ...moto.env,
      HOME: project,
      KUBECONFIG: path.join(project, "kubeconfig"),
      TRITON_OPS_GPU_WAIT_SECONDS: "0",
      TRITON_OPS_ROLLOUT_TIMEOUT_SECONDS: "1",
    };
    const k = `--kubeconfig ${standin.kubeconfigPath}`;
    const run = async (args: string) => {
      const result = await runCli(args, { cwd: project, env });
      printed.push(result.stdout, result.stderr);
      return result;
    };
    expect((await run(`up --stage workloads --yes --skip-preflight --verbose ${k}`)).code).toBe(0);
    const secret = standin.store.get("v1", "Secret", "grafana-admin", "monitoring");
    const password = Buffer.from(secret?.data["admin-password"], "base64").toString();
    expect(password.length).toBeGreaterThanOrEqual(24);

    expect((await run(`render --out ${path.join(project, "rendered")} --verbose`)).code).toBe(0);
    await run(`verify --json --verbose ${k}`);
    await run(`doctor --json --verbose ${k}`);
    expect((await run("kubeconfig --write --verbose")).code).toBe(0);
    // The one command that mints an EKS token, with --verbose: its stdout is the credential, by design;
    // its stderr and every file it leaves must not show it.
    const token = await runCli("token --cluster acme-dev --region us-east-1 --verbose", {
      cwd: project,
      env,
    });
    expect(token.code, token.stderr).toBe(0);
    const eksToken = (JSON.parse(token.stdout) as { status: { token: string } }).status.token;
    expect(eksToken).toMatch(/^k8s-aws-v1\./);
    // Really minted: a presigned STS GetCallerIdentity URL for this cluster, signed.
    const presigned = new URL(
      Buffer.from(eksToken.slice("k8s-aws-v1.".length), "base64url").toString("utf8"),
    );
    expect(presigned.searchParams.get("Action")).toBe("GetCallerIdentity");
    expect(presigned.searchParams.get("X-Amz-SignedHeaders")).toContain("x-k8s-aws-id");
    const signature = presigned.searchParams.get("X-Amz-Signature") ?? "";
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    printed.push(token.stderr);

    const files = await filesUnder(project);
    expect(files.some((f) => f.includes(`${path.sep}rendered${path.sep}`))).toBe(true);
    const written = await Promise.all(files.map(async (f) => [f, await readFile(f, "utf8")] as const));
    for (const value of [
      password,
      standin.token,
      eksToken,
      eksToken.slice("k8s-aws-v1.".length, 60),
      signature,
    ]) {
      for (const [i, text] of printed.entries())
        expect(
          text.includes(value),
          `output ${i} shows ${value.slice(0, 6)}...: ${text.slice(Math.max(0, text.indexOf(value) - 200), text.indexOf(value) + 40)}`,
        ).toBe(false);
      for (const [file, text] of written) expect(text.includes(value), file).toBe(false);
    }
  });
});

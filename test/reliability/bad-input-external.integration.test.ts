import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { snapshotTree } from "../support/files.js";
import { node } from "../support/kube-fixtures.js";
import { type KubeStandin, startKubeStandin } from "../support/kube-standin.js";
import { type Moto, startTestMoto } from "../support/moto.js";
import { makeProject, WORKLOAD_OUTPUTS as outputs } from "../support/project.js";
import { type CliRun, runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

/**
 * Bad input from the outside world (credentials, accounts, kubeconfigs, API servers, Terraform, a held
 * state lock): one line plus at most a hint, the documented exit code, no stack trace, nothing changed.
 */
/** A Node stack frame line: expected errors never print one. */
const STACK_TRACE = /\n\s+at .+:\d+:\d+/;

function expectOneLine(run: CliRun, code: number, message: RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("Error:"));
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(run.stderr).not.toMatch(STACK_TRACE);
}

/** An AWS endpoint that answers every call as STS does for an expired session token. */
async function expiredTokenEndpoint(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(400, { "content-type": "text/xml" });
      res.end(
        "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>1</RequestId></ErrorResponse>",
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

describe("bad input from outside: one line, its exit code, nothing changed", () => {
  let moto: Moto;
  let standin: KubeStandin;
  let expired: http.Server;
  const env = () => ({ ...moto.env, HOME: os.tmpdir(), TRITON_OPS_PROVIDER_MIRROR: providerMirror() });

  beforeAll(async () => {
    [moto, standin, expired] = await Promise.all([
      startTestMoto(),
      startKubeStandin({ objects: [node("gpu-1", { gpus: 1 })] }),
      expiredTokenEndpoint(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([moto?.stop(), standin?.stop(), new Promise((r) => expired?.close(r))]);
  });

  it("no AWS credentials", async () => {
    const cwd = await makeProject();
    const before = await snapshotTree(cwd);
    const run = await runCli("orphan-scan", {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: cwd,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: "us-east-1",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: path.join(cwd, "none"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(cwd, "none"),
      },
    });
    expectOneLine(run, 2, /No AWS credentials found/);
    expect(await snapshotTree(cwd)).toBe(before);
  });

  it("expired credentials (ExpiredToken)", async () => {
    const cwd = await makeProject();
    const before = await snapshotTree(cwd);
    const address = expired.address() as AddressInfo;
    const run = await runCli("orphan-scan", {
      cwd,
      env: { ...env(), AWS_ENDPOINT_URL: `http://127.0.0.1:${address.port}` },
    });
    expectOneLine(run, 2, /AWS credentials have expired \(ExpiredToken\)/);
    expect(await snapshotTree(cwd)).toBe(before);
  });

  it("the wrong account", async () => {
    const cwd = await makeProject({ config: { allowedAccountIds: ["111111111111"] } });
    const before = await snapshotTree(cwd);
    const run = await runCli("up --stage vpc --yes", { cwd, env: env() });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/123456789012/);
    expect(run.stderr).toMatch(/allowedAccountIds/);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    // Refused before Terraform ran: no working copy, no state.
    expect(await snapshotTree(cwd)).toBe(before);
  });

  it("kubeconfig missing", async () => {
    const cwd = await makeProject({ outputs });
    const run = await runCli(
      `up --stage workloads --yes --skip-preflight --kubeconfig ${path.join(cwd, "nope")}`,
      {
        cwd,
        env: env(),
      },
    );
    expect(run.code, run.stderr).toBe(2);
    expect(run.stdout + run.stderr).toMatch(/nope/);
    expect(run.stderr).not.toMatch(STACK_TRACE);
  });

  it("context missing", async () => {
    const cwd = await makeProject({ outputs });
    const run = await runCli(`verify --kubeconfig ${standin.kubeconfigPath} --context prod-cluster`, {
      cwd,
      env: env(),
    });
    expectOneLine(run, 2, /prod-cluster/);
  });

  const workloadsAgainst = async (kubeconfig: string) => {
    const cwd = await makeProject({ outputs });
    const before = standin.store.list("apps/v1", "Deployment").length;
    const run = await runCli(`up --stage workloads --yes --skip-preflight --kubeconfig ${kubeconfig}`, {
      cwd,
      env: { ...env(), TRITON_OPS_GPU_WAIT_SECONDS: "0" },
    });
    expect(standin.store.list("apps/v1", "Deployment").length).toBe(before);
    return run;
  };

  it("API server unreachable", async () => {
    const kubeconfig = await standin.writeKubeconfig({ server: "https://127.0.0.1:1" });
    const run = await workloadsAgainst(kubeconfig);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout + run.stderr).toMatch(/127\.0\.0\.1:1/);
    expect(run.stderr).not.toMatch(STACK_TRACE);
  });

  it("TLS failure (a CA that did not sign the server)", async () => {
    const other = await startKubeStandin();
    try {
      const kubeconfig = await standin.writeKubeconfig({ caData: other.caData });
      const run = await workloadsAgainst(kubeconfig);
      expect(run.code, run.stderr).toBe(3);
      expect(run.stdout + run.stderr).toMatch(/certificate|TLS/i);
      expect(run.stderr).not.toMatch(STACK_TRACE);
    } finally {
      await other.stop();
    }
  });

  for (const [status, text] of [
    [401, /401|unauthori[sz]ed|credentials/i],
    [403, /403|forbidden/i],
    [500, /500|server error|Kubernetes API/i],
  ] as const) {
    it(`API server answering ${status}`, async () => {
      const failing = await startKubeStandin({ failWith: status });
      try {
        const cwd = await makeProject({ outputs });
        const run = await runCli(
          `up --stage workloads --yes --skip-preflight --kubeconfig ${failing.kubeconfigPath}`,
          {
            cwd,
            env: { ...env(), TRITON_OPS_GPU_WAIT_SECONDS: "0" },
          },
        );
        expect(run.code, run.stderr).toBe(3);
        expect(run.stdout + run.stderr).toMatch(text);
        expect(run.stderr).not.toMatch(STACK_TRACE);
      } finally {
        await failing.stop();
      }
    });
  }

  it("malformed JSON from Terraform", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "tf-garbage-"));
    const binary = path.join(dir, "terraform");
    await writeFile(
      binary,
      [
        "#!/bin/sh",
        `case "$1" in`,
        `  version) echo '{"terraform_version":"1.11.0"}';;`,
        "  init) exit 0;;",
        "  plan) exit 2;;",
        "  show) echo 'this is not json {';;",
        "esac",
      ].join("\n"),
    );
    await chmod(binary, 0o755);
    const cwd = await makeProject({ config: { terraform: { binary } } });
    const run = await runCli("plan --stage iam", { cwd, env: env() });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout + run.stderr).toMatch(/terraform show -json printed something that is not JSON/);
    expect(run.stderr).not.toMatch(STACK_TRACE);
  });

  it("a state file locked by another process", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "locked-"));
    const e = { ...env(), TRITON_OPS_LOCK_TIMEOUT_SECONDS: "1" };
    expect((await runCli("init --yes --name lck --env dev", { cwd, env: e })).code).toBe(0);
    const applied = await runCli("up --stage iam --yes --skip-preflight", { cwd, env: e });
    expect(applied.code, applied.stderr).toBe(0);
    const stateFile = path.join(cwd, ".triton-ops", "dev", "state", "iam.tfstate");
    const stateBefore = await readFile(stateFile, "utf8");
    // Another process holds the same fcntl lock Terraform's local backend takes.
    const holder = spawn(
      "python3",
      [
        "-c",
        `import fcntl,sys,time\nf=open(${JSON.stringify(stateFile)},'r+')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint('held',flush=True)\ntime.sleep(120)`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
      const run = await runCli("up --stage iam --yes --skip-preflight", { cwd, env: e });
      expect(run.code, run.stderr).toBe(3);
      expect(run.stdout + run.stderr).toMatch(/lock/i);
      expect(run.stderr).not.toMatch(STACK_TRACE);
      expect(await readFile(stateFile, "utf8")).toBe(stateBefore);
    } finally {
      holder.kill("SIGKILL");
    }
  });
});

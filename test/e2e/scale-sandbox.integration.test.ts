import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSandboxState, sandboxEnv, stopProcess } from "../../src/sandbox/sandbox.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

/**
 * A Service Quotas stand-in for the one call preflight and scale make, GetServiceQuota (AWS Service Quotas
 * API reference: JSON 1.1 protocol, target ServiceQuotasV20190624.GetServiceQuota, answer
 * {"Quota": {"Value": N, ...}}). It refuses any other target as the real service does, with
 * UnknownOperationException. The emulator has no Service Quotas API at all.
 */
async function startQuotaStandIn(value: number): Promise<{ server: Server; url: string; asked: string[] }> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      res.setHeader("content-type", "application/x-amz-json-1.1");
      if (target !== "ServiceQuotasV20190624.GetServiceQuota") {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: "UnknownOperationException", message: `unknown ${target}` }));
        return;
      }
      const { ServiceCode, QuotaCode } = JSON.parse(body) as { ServiceCode: string; QuotaCode: string };
      asked.push(`${ServiceCode}/${QuotaCode}`);
      res.end(JSON.stringify({ Quota: { ServiceCode, QuotaCode, Value: value } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

/**
 * `scale`'s refusals through the whole CLI, with no Terraform apply: each leaves the config byte for byte.
 * The applying path (gpu-nodes alone, read back through EKS) is in sandbox-flow, which already has every
 * stage applied.
 */
describe("scale refusals", () => {
  let cwd: string;
  let file: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "scale-e2e-"));
    env = { ...process.env, TRITON_OPS_PROVIDER_MIRROR: providerMirror() };
    const init = await runCli("init --yes --sandbox --name sc --env test --region us-east-1", { cwd, env });
    expect(init.code, init.stderr).toBe(0);
    file = path.join(cwd, "triton-ops.yaml");
  });

  afterAll(async () => {
    const state = cwd ? await readSandboxState(path.join(cwd, ".triton-ops")) : undefined;
    if (state) await stopProcess(state.pid);
  });

  it("refuses bad bounds with one line and exit 2, leaving the config byte for byte", async () => {
    const before = await readFile(file);
    for (const [args, line] of [
      ["--gpu-min 3 --gpu-max 2", /GPU min 3 is above max 2/],
      ["--gpu-desired 5", /GPU desired 5 is outside \[min 1, max 2\]/],
      ["--gpu-max -1", /--gpu-max must not be negative/],
      ["--replicas 4 --max-replicas 2", /replicas 4 is above max replicas 2/],
    ] as const) {
      const run = await runCli(`scale ${args} --yes`, { cwd, env });
      expect(run.code, `${args}: ${run.stderr}`).toBe(2);
      expect(run.stderr.trim().split("\n"), args).toHaveLength(1);
      expect(run.stderr, args).toMatch(line);
      expect(await readFile(file), args).toEqual(before);
    }
    // Needs the stages below gpu-nodes applied: refused before the file is touched.
    const early = await runCli("scale --gpu-max 3 --yes", { cwd, env });
    expect(early.code, early.stderr).toBe(2);
    expect(early.stderr).toMatch(/needs vpc and iam and eks|needs .*eks/);
    expect(early.stderr).toMatch(/GPU vCPU quota not checked: .*emulator has none/);
    expect(await readFile(file)).toEqual(before);
  });

  it("refuses a maximum above the GPU vCPU quota (read as preflight reads it) with exit 2", async () => {
    // A quota of 8 vCPUs; 3 x g5.xlarge need 12. Off the sandbox (whose environment replaces every AWS_*
    // variable): EC2 is the emulator the previous case started, Service Quotas the stand-in.
    const sandbox = await readSandboxState(path.join(cwd, ".triton-ops"));
    expect(sandbox).toBeDefined();
    const awsEnv = sandboxEnv(process.env, sandbox?.endpoint ?? "", "us-east-1");
    const quota = await startQuotaStandIn(8);
    try {
      const real = path.join(cwd, "real");
      await mkdir(real);
      const realFile = path.join(real, "triton-ops.yaml");
      await writeFile(
        realFile,
        (await readFile(file, "utf8"))
          .replace(/sandbox: true/, "sandbox: false")
          .replace(/maxSize: 2/, "maxSize: 1"),
      );
      const before = await readFile(realFile);
      const refused = await runCli("scale --gpu-max 3 --yes", {
        cwd: real,
        env: { ...awsEnv, AWS_ENDPOINT_URL_SERVICE_QUOTAS: quota.url },
      });
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr.trim().split("\n")).toHaveLength(1);
      expect(refused.stderr).toMatch(/quota 8 < 12 needed for maxSize 3/);
      expect(quota.asked).toEqual(["ec2/L-DB2E81BA"]);
      expect(await readFile(realFile)).toEqual(before);
      // Within the quota (2 x 4 = 8) it goes on, to the next refusal: the stages below gpu-nodes are not applied.
      const within = await runCli("scale --gpu-max 2 --yes", {
        cwd: real,
        env: { ...awsEnv, AWS_ENDPOINT_URL_SERVICE_QUOTAS: quota.url },
      });
      expect(within.code, within.stderr).toBe(2);
      expect(within.stderr).toMatch(/needs .*eks/);
      expect(quota.asked).toEqual(["ec2/L-DB2E81BA", "ec2/L-DB2E81BA"]);
      expect(await readFile(realFile)).toEqual(before);
    } finally {
      quota.server.close();
    }
  });
});

import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSandboxState, sandboxEnv, stopProcess } from "../../src/sandbox/sandbox.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

/**
 * The model bucket's lifecycle rules, applied by the real ecr stack with real Terraform against the emulator
 * and read back with the AWS CLI (the reference reader). The sandbox leaves them out by default (the provider
 * waits about a minute after creating them), so this project asks for them with ecr.modelLifecycle.
 */
describe("the model bucket's lifecycle rules", () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let awsEnv: NodeJS.ProcessEnv;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "bucket-lifecycle-"));
    env = { ...process.env, CI: "true", TRITON_OPS_PROVIDER_MIRROR: providerMirror() };
    const init = await runCli("init --yes --sandbox --name life --env test --region us-east-1", { cwd, env });
    expect(init.code, init.stderr).toBe(0);
    const file = path.join(cwd, "triton-ops.yaml");
    await writeFile(
      file,
      `${await readFile(file, "utf8")}ecr:\n  modelLifecycle: true\n  modelVersionDays: 7\n`,
    );
    const up = await runCli("up --stage ecr --yes", { cwd, env });
    expect(up.code, up.stderr).toBe(0);
    const sandbox = await readSandboxState(path.join(cwd, ".triton-ops"));
    awsEnv = sandboxEnv(process.env, sandbox?.endpoint ?? "", "us-east-1");
  }, 280_000);

  afterAll(async () => {
    const sandbox = await readSandboxState(path.join(cwd, ".triton-ops"));
    if (sandbox) await stopProcess(sandbox.pid);
  });

  it("expires old model versions after modelVersionDays and aborts unfinished uploads after 7 days", async () => {
    const { stdout } = await execa(
      "aws",
      ["s3api", "get-bucket-lifecycle-configuration", "--bucket", "life-test-models-123456789012"],
      { env: awsEnv },
    );
    const rules = (JSON.parse(stdout) as { Rules: Array<Record<string, unknown>> }).Rules;
    const byId = Object.fromEntries(rules.map((r) => [r.ID, r]));
    expect(byId["abort-incomplete-uploads"]).toMatchObject({
      Status: "Enabled",
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    });
    expect(byId["expire-old-model-versions"]).toMatchObject({
      Status: "Enabled",
      NoncurrentVersionExpiration: { NoncurrentDays: 7 },
      Expiration: { ExpiredObjectDeleteMarker: true },
    });
  });

  it("is converged: the next plan changes nothing", async () => {
    const plan = await runCli("plan --stage ecr --json", { cwd, env });
    expect(plan.code, plan.stderr).toBe(0);
    const stages = JSON.parse(plan.stdout).stages as Array<{
      stage: string;
      summary: Record<string, unknown>;
    }>;
    expect(stages.find((s) => s.stage === "ecr")?.summary).toMatchObject({
      add: 0,
      change: 0,
      destroy: 0,
      changes: [],
      empty: true,
    });
  });
});

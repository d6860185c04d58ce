import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSandboxState, stopProcess } from "../../src/sandbox/sandbox.js";
import { spawnCli, waitForText } from "../support/cli-process.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

interface StageJson {
  stage: string;
  status: string;
}

/**
 * The emulator dies in the middle of `up` and of `down`: one clear error naming what was done and what
 * was not, no stack trace; the next run starts a new emulator and converges.
 */
describe("the AWS emulator killed mid-run", () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const workRoot = () => path.join(cwd, ".triton-ops");

  const killSandbox = async () => {
    const state = await readSandboxState(workRoot());
    expect(state, "a sandbox was recorded").toBeDefined();
    process.kill(state!.pid, "SIGKILL");
  };

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "killed-"));
    env = { ...process.env, CI: "true", TRITON_OPS_PROVIDER_MIRROR: providerMirror() };
    expect((await runCli("init --yes --sandbox --name kil --env test", { cwd, env })).code).toBe(0);
    const file = path.join(cwd, "triton-ops.yaml");
    await writeFile(file, `${await readFile(file, "utf8")}network:\n  azCount: 2\n`);
  });

  afterAll(async () => {
    const state = await readSandboxState(workRoot());
    if (state) await stopProcess(state.pid).catch(() => undefined);
  });

  it("during up: says which stage stopped and why, then the next up converges", async () => {
    const run = spawnCli(["up", "--stage", "vpc,iam", "--yes"], { cwd, env });
    const log = path.join(workRoot(), "test", "logs", "vpc-apply.log");
    // Kill it once the VPC exists and Terraform is creating what depends on it.
    await waitForText(log, /aws_vpc\.this: Creation complete/);
    await killSandbox();
    const code = await run.exited;
    const { stdout, stderr } = run.output();
    expect(code, stderr).toBe(3);
    expect(stderr).toMatch(/vpc: terraform apply stopped: cannot reach AWS at http:\/\/127\.0\.0\.1:\d+/);
    expect(stdout).toMatch(/The sandbox emulator stopped/);
    expect(stdout).toMatch(/^vpc\s+failed/m);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);

    const again = await runCli("up --stage vpc,iam --yes --json", { cwd, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("Started the local AWS sandbox");
    const stages = (JSON.parse(again.stdout) as { stages: StageJson[] }).stages;
    expect(stages.map((s) => s.status)).toEqual(["applied", "applied"]);
    const third = await runCli("up --stage vpc,iam --yes --json", { cwd, env });
    expect((JSON.parse(third.stdout) as { stages: StageJson[] }).stages.map((s) => s.status)).toEqual([
      "unchanged",
      "unchanged",
    ]);
  });

  it("during down: a clear error, and the next down finishes", async () => {
    const run = spawnCli(["down", "--stage", "vpc,iam", "--yes"], { cwd, env });
    const log = path.join(workRoot(), "test", "logs", "vpc-destroy.log");
    // Kill it once Terraform has started deleting.
    await waitForText(log, /: Destruction complete/);
    await killSandbox();
    const code = await run.exited;
    const { stderr } = run.output();
    expect(code, stderr).toBe(3);
    expect(stderr).toMatch(/cannot reach AWS at http:\/\/127\.0\.0\.1:\d+/);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);

    const again = await runCli("down --stage vpc,iam --yes --json", { cwd, env });
    expect(again.code, again.stderr).toBe(0);
    const stages = (JSON.parse(again.stdout) as { stages: StageJson[] }).stages;
    // A stage whose destroy finished before the kill has nothing left ("unchanged"); the other destroys
    // what is left or forgets what vanished with the emulator.
    expect(
      stages.every((s) => s.status === "destroyed" || s.status === "unchanged"),
      again.stdout,
    ).toBe(true);
    expect(
      stages.some((s) => s.status === "destroyed"),
      again.stdout,
    ).toBe(true);
    const status = await runCli("status --json", { cwd, env });
    const rows = (JSON.parse(status.stdout) as { stages: Array<{ stage: string; applied: boolean }> }).stages;
    expect(rows.filter((r) => r.applied)).toEqual([]);
  });
});

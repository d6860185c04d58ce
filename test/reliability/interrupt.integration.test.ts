import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSandboxState, stopProcess } from "../../src/sandbox/sandbox.js";
import { spawnCli, waitForText } from "../support/cli-process.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

/** Ctrl-C during an apply: Terraform stops cleanly, no lock is left, the next run carries on. */
describe("interrupting up and down", () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "sigint-"));
    env = { ...process.env, CI: "true", TRITON_OPS_PROVIDER_MIRROR: providerMirror() };
    expect((await runCli("init --yes --sandbox --name sig --env test", { cwd, env })).code).toBe(0);
    const file = path.join(cwd, "triton-ops.yaml");
    await writeFile(file, `${await readFile(file, "utf8")}network:\n  azCount: 2\n`);
  });

  afterAll(async () => {
    const state = await readSandboxState(path.join(cwd, ".triton-ops"));
    if (state) await stopProcess(state.pid);
  });

  it("exits 130 with no state lock, and the next up converges", async () => {
    const run = spawnCli(["up", "--stage", "vpc", "--yes"], { cwd, env });
    const log = path.join(cwd, ".triton-ops", "test", "logs", "vpc-apply.log");
    // Interrupt once Terraform has started creating resources (not while it is still planning).
    await waitForText(log, /: Creation complete/);
    run.child.kill("SIGINT");
    const code = await run.exited;
    const { stderr } = run.output();
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/Interrupted: Terraform stopped cleanly and released its state lock/);
    expect(stderr).toMatch(/letting the \d+ AWS call\(s\) in flight finish first/);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);

    const stateDir = path.join(cwd, ".triton-ops", "test", "state");
    expect((await readdir(stateDir)).filter((f) => f.includes("lock"))).toEqual([]);

    // The calls in flight were let finish before Terraform stopped, so this run applies what is left
    // (or nothing, when the interrupt came late in the stage).
    const again = await runCli("up --stage vpc --yes --json", { cwd, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/already exists|Conflict/);
    expect(["applied", "unchanged"]).toContain(
      (JSON.parse(again.stdout) as { stages: Array<{ status: string }> }).stages[0]?.status,
    );
    const third = await runCli("up --stage vpc --yes --json", { cwd, env });
    expect((JSON.parse(third.stdout) as { stages: Array<{ status: string }> }).stages[0]?.status).toBe(
      "unchanged",
    );
  });
  it("during down: exits 130 with no state lock, and the next down finishes", async () => {
    const run = spawnCli(["down", "--stage", "vpc", "--yes"], { cwd, env });
    const log = path.join(cwd, ".triton-ops", "test", "logs", "vpc-destroy.log");
    await waitForText(log, /: Destruction complete/);
    run.child.kill("SIGINT");
    const code = await run.exited;
    const { stderr } = run.output();
    expect(code, stderr).toBe(130);
    expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    const stateDir = path.join(cwd, ".triton-ops", "test", "state");
    expect((await readdir(stateDir)).filter((f) => f.includes("lock"))).toEqual([]);

    // What was in flight was let finish, and what Terraform began meanwhile too (a destroy is a chain:
    // each deletion starts the next), so this run destroys what is left, or finds nothing left.
    const again = await runCli("down --stage vpc --yes --json", { cwd, env });
    expect(again.code, again.stderr).toBe(0);
    expect(["destroyed", "unchanged"]).toContain(
      (JSON.parse(again.stdout) as { stages: Array<{ status: string }> }).stages[0]?.status,
    );
    const status = await runCli("status --json", { cwd, env });
    const rows = (JSON.parse(status.stdout) as { stages: Array<{ stage: string; applied: boolean }> }).stages;
    expect(rows.find((r) => r.stage === "vpc")?.applied).toBe(false);
  });
});

import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeProject } from "../support/project.js";
import { runCli } from "../support/run-cli.js";

/**
 * State files a killed run can leave: a first plan killed with its Terraform leaves a 0-byte state (no
 * state yet, not corruption); a state that really is corrupt names its backup only when one exists.
 */
describe("state files left by a killed run", () => {
  const stateFile = (cwd: string) => path.join(cwd, ".triton-ops", "dev", "state", "vpc.tfstate");

  it("reads a 0-byte state as no state yet, in one line, and carries on", async () => {
    const cwd = await makeProject();
    await writeFile(stateFile(cwd), "");
    const run = await runCli("status --json", { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.trim().split("\n")).toEqual([
      `vpc: ${stateFile(cwd)} is empty: no state yet (a run stopped before Terraform wrote any).`,
    ]);
    const vpc = (JSON.parse(run.stdout) as { stages: Array<{ stage: string; applied: boolean }> }).stages[0];
    expect(vpc).toMatchObject({ stage: "vpc", applied: false });
  });

  it("a corrupt state with no backup: says so, and does not send the user to a backup", async () => {
    const cwd = await makeProject();
    await writeFile(stateFile(cwd), '{"version": 4, "resources": [');
    const run = await runCli("status", { cwd });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/vpc\.tfstate is not valid JSON/);
    expect(run.stderr).toMatch(/There is no backup beside it/);
    expect(run.stderr).not.toMatch(/Restore it from/);
    expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it("a corrupt state with a backup beside it: names that backup", async () => {
    const cwd = await makeProject();
    await writeFile(stateFile(cwd), "\u0000\u0000garbage");
    await writeFile(`${stateFile(cwd)}.backup`, '{"version": 4, "serial": 3, "resources": []}');
    const run = await runCli("status", { cwd });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`Restore it from the backup beside it (${stateFile(cwd)}.backup)`);
  });
});

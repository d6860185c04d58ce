import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSandboxState, sandboxEnv, stopProcess } from "../../src/sandbox/sandbox.js";
import { taggedLeftovers } from "../support/aws-leftovers.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

interface StageJson {
  stage: string;
  status: string;
}

/**
 * The product's main path on the sandbox, through the whole CLI and real Terraform:
 * init -> up all -> up again (nothing applied) -> status -> down all -> nothing tagged left.
 */
describe("sandbox end to end", () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "e2e-"));
    env = { ...process.env, TRITON_OPS_PROVIDER_MIRROR: providerMirror() };
    const init = await runCli("init --yes --sandbox --name e2e --env test --region us-east-1", { cwd, env });
    expect(init.code, init.stderr).toBe(0);
    // Two AZs keep the sandbox run short; the default is three.
    const file = path.join(cwd, "triton-ops.yaml");
    await writeFile(file, `${await readFile(file, "utf8")}network:\n  azCount: 2\n`);
  });

  afterAll(async () => {
    const state = cwd ? await readSandboxState(path.join(cwd, ".triton-ops")) : undefined;
    if (state) await stopProcess(state.pid);
  });

  it("brings every AWS stage up, converges, reports status, and tears down without leftovers", async () => {
    const up = await runCli("up --stage all --yes --json", { cwd, env });
    expect(up.code, up.stderr).toBe(0);
    const first = (JSON.parse(up.stdout) as { stages: StageJson[] }).stages;
    expect(first.map((s) => [s.stage, s.status])).toEqual([
      ["vpc", "applied"],
      ["iam", "applied"],
      ["ecr", "applied"],
      ["eks", "applied"],
      ["gpu-nodes", "applied"],
      ["workloads", "skipped"],
    ]);
    expect(up.stderr).toContain("Started the local AWS sandbox");
    expect(up.stderr).toContain("access entries and managed add-ons are off");

    const again = await runCli("up --stage all --yes --json", { cwd, env });
    expect(again.code, again.stderr).toBe(0);
    const second = (JSON.parse(again.stdout) as { stages: StageJson[] }).stages;
    expect(second.filter((s) => s.stage !== "workloads").every((s) => s.status === "unchanged")).toBe(true);

    const status = await runCli("status --json", { cwd, env });
    expect(status.code).toBe(0);
    const rows = (
      JSON.parse(status.stdout) as {
        stages: Array<{
          stage: string;
          applied: boolean;
          resources: number;
          outputs: Record<string, unknown>;
        }>;
      }
    ).stages;
    for (const row of rows.filter((r) => r.stage !== "workloads")) {
      expect(row.applied, row.stage).toBe(true);
      expect(row.resources, row.stage).toBeGreaterThan(0);
    }
    expect(rows.find((r) => r.stage === "eks")?.outputs.cluster_name).toBe("e2e-test");

    const human = await runCli("status", { cwd, env });
    expect(human.stdout).toMatch(/STAGE\s+STATE\s+RESOURCES/);

    const down = await runCli("down --stage all --yes --json", { cwd, env });
    expect(down.code, down.stderr).toBe(0);
    const destroyed = (JSON.parse(down.stdout) as { stages: StageJson[] }).stages;
    expect(destroyed.filter((s) => s.stage !== "workloads").every((s) => s.status === "destroyed")).toBe(
      true,
    );

    const state = await readSandboxState(path.join(cwd, ".triton-ops"));
    expect(state).toBeDefined();
    const left = await taggedLeftovers(
      sandboxEnv(process.env, state!.endpoint, "us-east-1"),
      "us-east-1",
      "e2e-test",
    );
    expect(left).toEqual([]);
  });
});

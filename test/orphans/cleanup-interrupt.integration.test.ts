import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli-process.js";
import { type Moto, startTestMoto } from "../support/moto.js";
import { Seeder } from "../support/orphan-seed.js";
import { runCli } from "../support/run-cli.js";

const ACCOUNT = "123456789012";

/** A cleanup killed half-way (SIGKILL: no chance to tidy up) is finished by running it again. */
describe("cleanup interrupted half-way", () => {
  let moto: Moto;
  let seed: Seeder;
  let cwd: string;
  let total = 0;

  beforeAll(async () => {
    moto = await startTestMoto();
    seed = new Seeder(moto.env);
    cwd = await mkdtemp(path.join(os.tmpdir(), "orphans-kill-"));
    await writeFile(path.join(cwd, "triton-ops.yaml"), "name: kill\nenvironment: dev\nregion: us-east-1\n");
    const tags = { ManagedBy: "triton-ops", Project: "kill", Environment: "dev" };
    const vpc = await seed.vpc("10.60.0.0/16", { Name: "kill-dev", ...tags });
    await seed.subnet(vpc, "10.60.1.0/24", { Name: "kill-dev-private", ...tags });
    total += 2;
    // Enough work that the kill lands in the middle: volumes first, roles (several calls each) last.
    await Promise.all(Array.from({ length: 40 }, () => seed.volume(10, "gp3", tags)));
    for (let i = 0; i < 40; i++) await seed.roleWithEverything(`kill-dev-role-${i}`, `kill-dev-profile-${i}`);
    total += 40 + 40 + 40;
  });

  afterAll(async () => {
    seed?.destroy();
    await moto?.stop();
  });

  const orphans = async () => {
    const run = await runCli("orphan-scan --json", { cwd, env: moto.env });
    return (JSON.parse(run.stdout) as { orphans: number }).orphans;
  };

  it("converges on the second run", async () => {
    expect(await orphans()).toBe(total);
    const proc = spawnCli(["cleanup", "--orphans", "--yes", "--confirm-account", ACCOUNT], {
      cwd,
      env: moto.env,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (proc.output().stderr.includes("deleted iam-role")) {
          clearInterval(timer);
          proc.child.kill("SIGKILL");
          resolve();
        }
      }, 5);
      proc.exited.then(() => {
        clearInterval(timer);
        reject(new Error(`cleanup finished before it could be killed:\n${proc.output().stderr}`));
      });
    });
    await proc.exited;
    const left = await orphans();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(total);

    const again = await runCli(`cleanup --orphans --yes --confirm-account ${ACCOUNT} --json`, {
      cwd,
      env: moto.env,
    });
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout) as { deleted: number; failed: number };
    expect(summary.failed).toBe(0);
    expect(summary.deleted).toBe(left);
    expect(await orphans()).toBe(0);
  });
});

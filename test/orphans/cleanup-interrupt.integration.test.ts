import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli-process.js";
import { type Moto, startTestMoto } from "../support/moto.js";
import { Seeder } from "../support/orphan-seed.js";
import { runCli } from "../support/run-cli.js";

const ACCOUNT = "123456789012";

/** A cleanup stopped half-way (killed, or Ctrl-C) is finished by running it again. */
describe("cleanup interrupted half-way", () => {
  let moto: Moto;
  let seed: Seeder;
  let cwd: string;

  beforeAll(async () => {
    moto = await startTestMoto();
    seed = new Seeder(moto.env);
    cwd = await mkdtemp(path.join(os.tmpdir(), "orphans-kill-"));
    await writeFile(path.join(cwd, "triton-ops.yaml"), "name: kill\nenvironment: dev\nregion: us-east-1\n");
  });

  afterAll(async () => {
    seed?.destroy();
    await moto?.stop();
  });

  const orphans = async () => {
    const run = await runCli("orphan-scan --json", { cwd, env: moto.env });
    return (JSON.parse(run.stdout) as { orphans: number }).orphans;
  };

  /** Enough work that the stop lands in the middle: volumes first, roles (several calls each) last. */
  async function seedOrphans(round: number): Promise<number> {
    const tags = { ManagedBy: "triton-ops", Project: "kill", Environment: "dev" };
    const vpc = await seed.vpc(`10.6${round}.0.0/16`, { Name: "kill-dev", ...tags });
    await seed.subnet(vpc, `10.6${round}.1.0/24`, { Name: "kill-dev-private", ...tags });
    await Promise.all(Array.from({ length: 40 }, () => seed.volume(10, "gp3", tags)));
    for (let i = 0; i < 40; i++) await seed.roleWithEverything(`kill-dev-role-${i}`, `kill-dev-profile-${i}`);
    return 2 + 40 + 40 + 40;
  }

  /** Runs the built CLI and sends `signal` as soon as it has deleted its first role. */
  async function cleanupStoppedBy(signal: NodeJS.Signals) {
    const proc = spawnCli(["cleanup", "--orphans", "--yes", "--confirm-account", ACCOUNT], {
      cwd,
      env: moto.env,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (proc.output().stderr.includes("deleted iam-role")) {
          clearInterval(timer);
          proc.child.kill(signal);
          resolve();
        }
      }, 5);
      proc.exited.then(() => {
        clearInterval(timer);
        reject(new Error(`cleanup finished before it could be stopped:\n${proc.output().stderr}`));
      });
    });
    return { code: await proc.exited, ...proc.output() };
  }

  it("killed (SIGKILL): the second run deletes exactly what is left", async () => {
    const total = await seedOrphans(0);
    expect(await orphans()).toBe(total);
    await cleanupStoppedBy("SIGKILL");
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

  it("Ctrl-C: finishes what is in flight, skips the rest, exits 130; the next run finishes", async () => {
    await seedOrphans(1);
    const stopped = await cleanupStoppedBy("SIGINT");
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain("Stopping after the deletions in flight");
    expect(stopped.stdout).toContain("interrupted before its turn");
    expect(await orphans()).toBeGreaterThan(0);
    const again = await runCli(`cleanup --orphans --yes --confirm-account ${ACCOUNT}`, {
      cwd,
      env: moto.env,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(await orphans()).toBe(0);
  });
});

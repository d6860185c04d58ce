import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DescribeNatGatewaysCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClientConfig } from "../../src/aws/clients.js";
import { readSandboxState, sandboxEnv, stopProcess } from "../../src/sandbox/sandbox.js";
import { groupMembers, isRunning, type RunRecord } from "../../src/terraform/run-record.js";
import { spawnCli } from "../support/cli-process.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

interface StageJson {
  stage: string;
  status: string;
}

/**
 * triton-ops killed without warning (SIGKILL: a CI job past its grace period, the OOM killer, `kill -9`)
 * in the middle of `up` and `down`, through the built CLI with real Terraform on the emulator. Terraform
 * runs detached, so what it began finishes; the next run waits for it, reads its outcome, and converges,
 * with exactly one VPC and one NAT gateway, no process of the killed run left, and no orphan.
 */
// Each case runs several CLI commands with real Terraform; a loaded 2-core machine makes them slow.
describe("triton-ops killed with SIGKILL", { timeout: 900_000 }, () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const envDir = () => path.join(cwd, ".triton-ops", "test");
  const recordFile = () => path.join(envDir(), "runs", "vpc.json");

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "sigkill-"));
    // A loaded machine makes the killed run's Terraform slow: wait for it as long as the test may take.
    env = {
      ...process.env,
      CI: "true",
      TRITON_OPS_PROVIDER_MIRROR: providerMirror(),
      TRITON_OPS_LOCK_TIMEOUT_SECONDS: "500",
    };
    expect((await runCli("init --yes --sandbox --name k9 --env test", { cwd, env })).code).toBe(0);
    const file = path.join(cwd, "triton-ops.yaml");
    // natGateways: single is the default; said here because the count below depends on it.
    await writeFile(file, `${await readFile(file, "utf8")}network:\n  azCount: 2\n  natGateways: single\n`);
  });

  afterAll(async () => {
    const state = await readSandboxState(path.join(cwd, ".triton-ops"));
    if (state) await stopProcess(state.pid).catch(() => undefined);
  });

  /** The project's VPCs and NAT gateways in the emulator (a NAT gateway being deleted is gone). */
  const count = async (): Promise<{ vpcs: number; nats: number }> => {
    const sandbox = await readSandboxState(path.join(cwd, ".triton-ops"));
    const aws = {
      region: "us-east-1",
      env: sandboxEnv(process.env, sandbox?.endpoint ?? "", "us-east-1"),
      sandbox: true,
    };
    const ec2 = new EC2Client(awsClientConfig(aws, "EC2"));
    const mine = [
      { Name: "tag:Project", Values: ["k9"] },
      { Name: "tag:Environment", Values: ["test"] },
    ];
    try {
      const vpcs = (await ec2.send(new DescribeVpcsCommand({ Filters: mine }))).Vpcs ?? [];
      const nats = (
        (await ec2.send(new DescribeNatGatewaysCommand({ Filter: mine }))).NatGateways ?? []
      ).filter((g) => g.State !== "deleted" && g.State !== "deleting");
      return { vpcs: vpcs.length, nats: nats.length };
    } finally {
      ec2.destroy();
    }
  };

  /** Starts the CLI, waits for the text in the stage's log, reads the run record, and SIGKILLs the CLI. */
  const killWhen = async (args: string[], log: string, text: RegExp): Promise<RunRecord> => {
    const run = spawnCli(args, { cwd, env });
    const file = path.join(envDir(), "logs", log);
    const before = existsSync(file) ? readFileSync(file).length : 0;
    // Only this run's part of the log counts.
    const deadline = Date.now() + 400_000;
    while (!(existsSync(file) && text.test(readFileSync(file).subarray(before).toString("utf8")))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${text} in ${file}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const record = JSON.parse(await readFile(recordFile(), "utf8")) as RunRecord;
    run.child.kill("SIGKILL");
    expect(await run.exited).toBe(null);
    return record;
  };

  /** Nothing of the killed run is left: not its Terraform, not a provider plugin in its group. */
  const nothingLeft = async (record: RunRecord) => {
    expect(await isRunning(record)).toBe(false);
    expect(await groupMembers(record.pid)).toEqual([]);
    expect(existsSync(recordFile())).toBe(false);
    const stateDir = path.join(envDir(), "state");
    expect((await readdir(stateDir)).filter((f) => f.includes("lock"))).toEqual([]);
  };

  const noOrphans = async () => {
    const scan = await runCli("orphan-scan --json", { cwd, env });
    expect(scan.code, scan.stdout).toBe(0);
    expect((JSON.parse(scan.stdout) as { orphans: number }).orphans).toBe(0);
  };

  /** Waits for the run record of a Terraform doing this action (the plan of a first up writes no log line to wait for). */
  const recordOf = async (action: string): Promise<RunRecord> => {
    const deadline = Date.now() + 400_000;
    for (;;) {
      try {
        const record = JSON.parse(await readFile(recordFile(), "utf8")) as RunRecord;
        if (record.action === action) return record;
      } catch {
        // not written yet
      }
      if (Date.now() > deadline) throw new Error(`no ${action} recorded`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const statusOf = (stdout: string) => (JSON.parse(stdout) as { stages: StageJson[] }).stages[0]?.status;

  // Early, middle and late in the stage. The default run kills once in each phase, to stay in the test
  // command's time budget; TRITON_OPS_LONG_RELIABILITY=1 runs every timing (and the cases marked long).
  const long = process.env.TRITON_OPS_LONG_RELIABILITY === "1";
  const timings = [
    { up: /aws_vpc\.this: Creating/, down: /: Destroying\.\.\./ },
    {
      up: /aws_subnet\.\w+\[\d\]: Creation complete/,
      down: /aws_nat_gateway\.this\[0\]: Destruction complete/,
    },
    { up: /aws_nat_gateway\.this\[0\]: Creation complete/, down: /aws_vpc\.this: Destroying/ },
  ];
  const chosen = long ? timings : timings.slice(0, 1);
  /** Delays after the plan starts at which a first up is killed. */
  const planDelays = long ? [0, 500, 1500] : [0];

  for (const timing of chosen) {
    it(`up killed mid-apply (${timing.up.source}): the apply finishes, the next up waits for it and converges`, async () => {
      const record = await killWhen(["up", "--stage", "vpc", "--yes"], "vpc-apply.log", timing.up);
      expect(record.action).toBe("apply");
      expect(record.planFile).toMatch(/tfplan$/);

      const again = await runCli("up --stage vpc --yes --json", { cwd, env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(
        new RegExp(`vpc: the earlier terraform apply \\(pid ${record.pid}, .*\\) finished: Apply complete!`),
      );
      expect(statusOf(again.stdout)).toBe("unchanged");
      expect(await count()).toEqual({ vpcs: 1, nats: 1 });
      await nothingLeft(record);
      await noOrphans();
    });

    it(`down killed mid-destroy (${timing.down.source}): the destroy finishes, the next down finds nothing left`, async () => {
      const record = await killWhen(["down", "--stage", "vpc", "--yes"], "vpc-destroy.log", timing.down);
      expect(record.action).toBe("apply");

      const again = await runCli("down --stage vpc --yes --json", { cwd, env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(
        /vpc: the earlier terraform apply \(pid \d+, .*\) finished: Apply complete! Resources: 0 added, 0 changed, \d+ destroyed/,
      );
      expect(statusOf(again.stdout)).toBe("unchanged");
      expect(await count()).toEqual({ vpcs: 0, nats: 0 });
      await nothingLeft(record);
      await noOrphans();
    });
  }

  for (const delay of planDelays)
    it(`a first up killed during plan (${delay} ms in): the plan finishes, the next up applies cleanly`, async () => {
      const run = spawnCli(["up", "--stage", "vpc", "--yes"], { cwd, env });
      const record = await recordOf("plan");
      await new Promise((r) => setTimeout(r, delay));
      run.child.kill("SIGKILL");
      expect(await run.exited).toBe(null);

      const again = await runCli("up --stage vpc --yes --json", { cwd, env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toMatch(/Restore|backup|not valid JSON/);
      expect(again.stderr).toMatch(
        /vpc: the earlier terraform plan \(pid \d+, .*\) finished: Plan: \d+ to add/,
      );
      expect(statusOf(again.stdout)).toBe("applied");
      expect(await count()).toEqual({ vpcs: 1, nats: 1 });
      await nothingLeft(record);
      expect((await runCli("down --stage vpc --yes --json", { cwd, env })).code).toBe(0);
    });

  it("killed together with Terraform during a first plan (a container stopped): empty state is no state", async () => {
    const stateFile = path.join(envDir(), "state", "vpc.tfstate");
    // Start from no state at all, as a first up does.
    await rm(stateFile, { force: true });
    await rm(`${stateFile}.backup`, { force: true });
    const run = spawnCli(["up", "--stage", "vpc", "--yes"], { cwd, env });
    const record = await recordOf("plan");
    // The state file exists (empty) once Terraform holds the lock.
    while (!existsSync(stateFile)) await new Promise((r) => setTimeout(r, 10));
    run.child.kill("SIGKILL");
    process.kill(-record.pid, "SIGKILL");
    expect(await run.exited).toBe(null);
    expect(readFileSync(stateFile, "utf8")).toBe("");

    const again = await runCli("up --stage vpc --yes --json", { cwd, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/Restore|backup|not valid JSON/);
    expect(again.stderr).toMatch(
      /vpc: the earlier terraform plan \(pid \d+, .*\) was stopped before it finished/,
    );
    expect(again.stderr).toMatch(/vpc: .*vpc\.tfstate is empty: no state yet/);
    expect(statusOf(again.stdout)).toBe("applied");
    expect(await count()).toEqual({ vpcs: 1, nats: 1 });
    await nothingLeft(record);
    expect((await runCli("down --stage vpc --yes --json", { cwd, env })).code).toBe(0);
  });

  it.runIf(long)(
    "killed together with Terraform mid-apply: what it created unrecorded is a collision, import adopts it, no duplicate",
    async () => {
      // Terraform writes its state at most every 20 s during an apply: what it created after that is in none.
      const record = await killWhen(
        ["up", "--stage", "vpc", "--yes"],
        "vpc-apply.log",
        /aws_vpc\.this: Creation complete/,
      );
      process.kill(-record.pid, "SIGKILL");

      const next = await runCli("up --stage vpc --yes --json", { cwd, env });
      const detail = `${next.stderr}\n${next.stdout}`;
      expect(next.stderr, detail).toMatch(/was stopped before it finished/);
      const imports = [...next.stderr.matchAll(/terraform import '([^']+)' '([^']+)'/g)];
      if (next.code === 1) {
        // Created, in no state: listed with address and id, and not created a second time.
        expect(imports.length, detail).toBeGreaterThan(0);
        expect(statusOf(next.stdout)).toBe("failed");
        expect(await count()).toMatchObject({ vpcs: 1 });
        const adopted = await runCli("import --stage vpc --yes", { cwd, env });
        expect(adopted.code, adopted.stderr).toBe(0);
        for (const [, address] of imports) expect(adopted.stderr).toContain(`vpc: imported ${address}`);
        const again = await runCli("up --stage vpc --yes --json", { cwd, env });
        expect(again.code, again.stderr).toBe(0);
      } else {
        // The kill came right after Terraform wrote its state: nothing was left unrecorded.
        expect(next.code, detail).toBe(0);
        expect(imports).toEqual([]);
      }
      expect(await count()).toEqual({ vpcs: 1, nats: 1 });
      await nothingLeft(record);
      await noOrphans();
    },
  );
});

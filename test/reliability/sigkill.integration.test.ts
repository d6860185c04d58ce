import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
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
describe("triton-ops killed with SIGKILL", () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const envDir = () => path.join(cwd, ".triton-ops", "test");
  const recordFile = () => path.join(envDir(), "runs", "vpc.json");

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "sigkill-"));
    env = { ...process.env, CI: "true", TRITON_OPS_PROVIDER_MIRROR: providerMirror() };
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
    const deadline = Date.now() + 120_000;
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

  it("up killed early in the vpc apply: the apply finishes, the next up waits for it and converges", async () => {
    const record = await killWhen(
      ["up", "--stage", "vpc", "--yes"],
      "vpc-apply.log",
      /aws_vpc\.this: Creating/,
    );
    expect(record.action).toBe("apply");

    const again = await runCli("up --stage vpc --yes --json", { cwd, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(
      new RegExp(`vpc: the earlier terraform apply \\(pid ${record.pid}, .*\\) finished: Apply complete!`),
    );
    expect((JSON.parse(again.stdout) as { stages: StageJson[] }).stages[0]?.status).toBe("unchanged");
    expect(await count()).toEqual({ vpcs: 1, nats: 1 });
    await nothingLeft(record);
    await noOrphans();
  });
});

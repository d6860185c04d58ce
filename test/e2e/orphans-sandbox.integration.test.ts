import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { GetRoleCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSandboxState, sandboxEnv, stopProcess } from "../../src/sandbox/sandbox.js";
import { Seeder } from "../support/orphan-seed.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

interface ScanJson {
  resources: Array<{ type: string; id: string; class: string; monthlyCost: number }>;
  monthlyCostTotal: number;
  orphans: number;
}

/**
 * The done-when on the sandbox, through the whole CLI and real Terraform: up, lose a stack's
 * state by hand, orphan-scan lists that stack's resources with their cost, cleanup removes exactly them.
 */
describe("orphans on the sandbox", () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let seed: Seeder;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "orphans-e2e-"));
    env = { ...process.env, TRITON_OPS_PROVIDER_MIRROR: providerMirror() };
    const init = await runCli("init --yes --sandbox --name orph --env test --region us-east-1", { cwd, env });
    expect(init.code, init.stderr).toBe(0);
    const file = path.join(cwd, "triton-ops.yaml");
    await writeFile(file, `${await readFile(file, "utf8")}network:\n  azCount: 2\n`);
  });

  afterAll(async () => {
    seed?.destroy();
    const state = cwd ? await readSandboxState(path.join(cwd, ".triton-ops")) : undefined;
    if (state) await stopProcess(state.pid);
  });

  it("lists a stack whose state was lost as orphans with their cost, and cleanup removes only them", async () => {
    const up = await runCli("up --stage vpc,iam,ecr --yes --json", { cwd, env });
    expect(up.code, up.stderr).toBe(0);
    const sandbox = await readSandboxState(path.join(cwd, ".triton-ops"));
    seed = new Seeder(sandboxEnv(process.env, sandbox?.endpoint ?? "", "us-east-1"));
    const otherVpc = await seed.vpc("10.99.0.0/16", { Name: "unrelated" });
    await seed.role("unrelated-role");

    const clean = await runCli("orphan-scan --json", { cwd, env });
    expect(clean.code, clean.stderr).toBe(0);
    const managed = (JSON.parse(clean.stdout) as ScanJson).resources;
    expect(managed.length).toBeGreaterThan(5);
    expect(managed.every((r) => r.class === "managed")).toBe(true);

    await rm(path.join(cwd, ".triton-ops", "test", "state", "vpc.tfstate"));

    const scan = await runCli("orphan-scan --json", { cwd, env });
    expect(scan.code, scan.stderr).toBe(1);
    const json = JSON.parse(scan.stdout) as ScanJson;
    const orphanTypes = json.resources.filter((r) => r.class === "orphan").map((r) => r.type);
    expect(orphanTypes.sort()).toEqual(
      [
        "elastic-ip",
        "internet-gateway",
        "nat-gateway",
        "route-table",
        "route-table",
        "subnet",
        "subnet",
        "subnet",
        "subnet",
        "vpc",
      ].sort(),
    );
    expect(json.monthlyCostTotal).toBeCloseTo(32.85 + 3.65, 2);
    const stillManaged = json.resources.filter((r) => r.class === "managed").map((r) => r.type);
    expect(stillManaged).toEqual(expect.arrayContaining(["iam-role", "ecr-repository", "s3-bucket"]));

    const cleanup = await runCli("cleanup --orphans --yes --confirm-account 123456789012 --json", {
      cwd,
      env,
    });
    expect(cleanup.code, cleanup.stderr).toBe(0);
    const summary = JSON.parse(cleanup.stdout) as { deleted: number; failed: number };
    expect(summary).toMatchObject({ deleted: 10, failed: 0 });

    const after = await runCli("orphan-scan --json", { cwd, env });
    expect(after.code, after.stderr).toBe(0);
    const left = JSON.parse(after.stdout) as ScanJson;
    expect(left.resources.map((r) => r.id).sort()).toEqual(
      managed
        .filter(
          (r) =>
            !["vpc", "subnet", "internet-gateway", "nat-gateway", "elastic-ip", "route-table"].includes(
              r.type,
            ),
        )
        .map((r) => r.id)
        .sort(),
    );
    const vpcs = await seed.ec2.send(new DescribeVpcsCommand({ VpcIds: [otherVpc] }));
    expect(vpcs.Vpcs?.length).toBe(1);
    await expect(seed.iam.send(new GetRoleCommand({ RoleName: "unrelated-role" }))).resolves.toBeDefined();
  });
});

import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import { CreateRoleCommand, DeleteRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClientConfig } from "../../src/aws/clients.js";
import { snapshotTree } from "../support/files.js";
import { type Moto, startTestMoto } from "../support/moto.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

interface PlanJson {
  collisions: number;
  stages: Array<{
    stage: string;
    collisions: Array<{ address: string; importId: string; owner: { verdict: string; why?: string } }>;
  }>;
}

/**
 * The seed's "plan tries to create resources that already exist": plan names each one with its import
 * command, `import` adopts them, and the next plan is clean. State kept in S3 with its native lock file,
 * as a team would, on the same emulator.
 */
describe("collisions, import, and the S3 state backend", () => {
  let moto: Moto;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const aws = () => ({ region: "us-east-1", env: moto.env, sandbox: true });

  beforeAll(async () => {
    moto = await startTestMoto();
    cwd = await mkdtemp(path.join(os.tmpdir(), "team-"));
    // AWS_ENDPOINT_URL points a normal (non-sandbox) config at the emulator, as it would at any endpoint.
    env = { ...moto.env, TRITON_OPS_PROVIDER_MIRROR: providerMirror() };
    const s3 = new S3Client(awsClientConfig(aws(), "S3"));
    await s3.send(new CreateBucketCommand({ Bucket: "team-tfstate" }));
    const init = await runCli(
      "init --yes --name team --env dev --state-backend s3 --state-bucket team-tfstate",
      { cwd, env },
    );
    expect(init.code, init.stderr).toBe(0);
    // What a failed earlier run left behind: a role and a repository under the names the stacks use.
    const iam = new IAMClient(awsClientConfig(aws(), "IAM"));
    await iam.send(
      new CreateRoleCommand({
        RoleName: "team-dev-eks-node",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
      }),
    );
    // And one that is another environment's by its tags, under a name the dev stacks would use.
    await iam.send(
      new CreateRoleCommand({
        RoleName: "team-dev-eks-cluster",
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
        Tags: [
          { Key: "Project", Value: "team" },
          { Key: "Environment", Value: "prod" },
        ],
      }),
    );
    const ecr = new ECRClient(awsClientConfig(aws(), "ECR"));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: "team-dev-triton" }));
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it("lists collisions with their import commands, imports them, and plans clean afterwards", async () => {
    const stateObjects = async () => {
      const s3 = new S3Client(awsClientConfig(aws(), "S3"));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: "team-tfstate" }));
      s3.destroy();
      return (listed.Contents ?? []).map((o) => `${o.Key}:${o.ETag}`).sort();
    };
    const treeBefore = await snapshotTree(cwd);
    const plan = await runCli("plan --stage iam,ecr --json --skip-preflight", { cwd, env });
    // --skip-preflight is an up flag; plan must refuse it as a usage error rather than ignore it.
    expect(plan.code).toBe(2);
    expect(plan.stdout).toBe("");
    expect(plan.stderr.trim()).toBe("error: unknown option '--skip-preflight'");
    expect(await snapshotTree(cwd)).toBe(treeBefore);

    const planned = await runCli("plan --stage iam,ecr --json", { cwd, env });
    expect(planned.code, planned.stderr).toBe(1);
    const doc = JSON.parse(planned.stdout) as PlanJson;
    expect(doc.collisions).toBe(3);
    const all = doc.stages.flatMap((s) => s.collisions);
    expect(all).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ address: "aws_iam_role.node", owner: { verdict: "ours", by: "name" } }),
        expect.objectContaining({ address: "aws_ecr_repository.this", importId: "team-dev-triton" }),
        expect.objectContaining({
          address: "aws_iam_role.cluster",
          owner: { verdict: "foreign", why: "tagged Environment=prod" },
        }),
      ]),
    );
    const human = await runCli("plan --stage iam", { cwd, env });
    expect(human.stdout).toContain("terraform import 'aws_iam_role.node' 'team-dev-eks-node'");
    expect(human.stdout).toContain(
      "aws_iam_role.cluster (team-dev-eks-cluster): not the project's: tagged Environment=prod; import will not adopt it",
    );
    expect(human.stdout).not.toContain("terraform import 'aws_iam_role.cluster'");

    // No terminal to confirm and no --yes: refuses, and no state changes (the plan before it is read-only).
    const stateBefore = await stateObjects();
    const declined = await runCli("import --stage iam,ecr", { cwd, env });
    expect(declined.code).toBe(2);
    expect(declined.stderr).toContain("Error: There are resources to import and no terminal to confirm it.");
    expect(declined.stderr).toContain("Re-run with --yes.");
    expect(await stateObjects()).toEqual(stateBefore);

    // The project's two are adopted; the prod-tagged role is refused by the ownership rule (exit 2).
    const imported = await runCli("import --stage iam,ecr --yes --json", { cwd, env });
    expect(imported.code, imported.stderr).toBe(2);
    const result = JSON.parse(imported.stdout) as {
      imported: Array<{ address: string }>;
      refused: Array<{ address: string; reason: string }>;
    };
    expect(result.imported.map((i) => i.address).sort()).toEqual([
      "aws_ecr_repository.this",
      "aws_iam_role.node",
    ]);
    expect(result.refused).toEqual([
      expect.objectContaining({
        address: "aws_iam_role.cluster",
        reason: "not the project's: tagged Environment=prod",
      }),
    ]);
    const held = await runCli("plan --stage iam --json", { cwd, env });
    expect((JSON.parse(held.stdout) as PlanJson).collisions).toBe(1);

    // Its owner takes it away; then the dev stacks plan clean.
    const iam = new IAMClient(awsClientConfig(aws(), "IAM"));
    await iam.send(new DeleteRoleCommand({ RoleName: "team-dev-eks-cluster" }));
    iam.destroy();

    const after = await runCli("plan --stage iam,ecr --json", { cwd, env });
    expect(after.code, after.stderr).toBe(0);
    expect((JSON.parse(after.stdout) as PlanJson).collisions).toBe(0);
  });

  it("keeps state in the S3 bucket with no lock file left behind, and up converges", async () => {
    const up = await runCli("up --stage iam,ecr --yes --json", { cwd, env });
    expect(up.code, up.stderr).toBe(0);
    const again = await runCli("up --stage iam,ecr --yes --json", { cwd, env });
    const stages = (JSON.parse(again.stdout) as { stages: Array<{ status: string }> }).stages;
    expect(stages.map((s) => s.status)).toEqual(["unchanged", "unchanged"]);

    const s3 = new S3Client(awsClientConfig(aws(), "S3"));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "team-tfstate" }));
    const keys = (listed.Contents ?? []).map((o) => o.Key);
    expect(keys).toEqual(
      expect.arrayContaining(["triton-ops/dev/iam.tfstate", "triton-ops/dev/ecr.tfstate"]),
    );
    expect(keys.filter((k) => k?.endsWith(".tflock"))).toEqual([]);

    const status = await runCli("status --json", { cwd, env });
    const rows = (JSON.parse(status.stdout) as { stages: Array<{ stage: string; applied: boolean }> }).stages;
    expect(rows.filter((r) => r.applied).map((r) => r.stage)).toEqual(["iam", "ecr"]);
    // Nothing was written to a local state file: the bucket is the only copy.
    await expect(readFile(path.join(cwd, ".triton-ops", "dev", "state", "iam.tfstate"))).rejects.toThrow();
  });
});

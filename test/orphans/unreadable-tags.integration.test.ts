// Tags that cannot be read, for real: the emulator enforces IAM policies once its request counter is
// reset to 0 (moto's /moto-api/reset-auth, what its set_initial_no_auth_action_count does in server
// mode). The scanning user is allowed everything but reading tags, as a narrow read-only policy would.
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetRoleCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClientConfig } from "../../src/aws/clients.js";
import { type Moto, startTestMoto } from "../support/moto.js";
import { Seeder } from "../support/orphan-seed.js";
import { runCli } from "../support/run-cli.js";

const PROJECT = { ManagedBy: "triton-ops", Project: "acme", Environment: "dev" };

interface ScanJson {
  resources: Array<{ type: string; id: string; class: string; action: string | null; reason: string }>;
  orphans: number;
  unreadable: Record<string, number>;
}

describe("orphan-scan and cleanup when tags cannot be read", () => {
  let moto: Moto;
  let seed: Seeder;
  let cwd: string;
  let vpc: string;
  /** Denied every tag read: roles (both ways), repositories. */
  let blind: NodeJS.ProcessEnv;
  /** Denied only GetAccountAuthorizationDetails: the scan falls back to ListRoleTags per role. */
  let narrow: NodeJS.ProcessEnv;

  const enforce = async (on: boolean) => {
    const res = await fetch(`${moto.endpoint}/moto-api/reset-auth`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: on ? "0" : "inf",
    });
    expect(res.status).toBe(200);
  };
  const user = async (name: string, deny: string[]): Promise<NodeJS.ProcessEnv> => {
    await seed.iam.send(new CreateUserCommand({ UserName: name }));
    await seed.iam.send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: "scan",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "*", Resource: "*" },
            { Effect: "Deny", Action: deny, Resource: "*" },
          ],
        }),
      }),
    );
    const key = (await seed.iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey;
    return { ...moto.env, AWS_ACCESS_KEY_ID: key?.AccessKeyId, AWS_SECRET_ACCESS_KEY: key?.SecretAccessKey };
  };

  beforeAll(async () => {
    moto = await startTestMoto();
    seed = new Seeder(moto.env);
    cwd = await mkdtemp(path.join(os.tmpdir(), "orphans-unreadable-"));
    await writeFile(path.join(cwd, "triton-ops.yaml"), "name: acme\nenvironment: dev\nregion: us-east-1\n");
    vpc = await seed.vpc("10.20.0.0/16", { Name: "acme-dev", ...PROJECT });
    await seed.role("acme-dev-locked", { ...PROJECT });
    await seed.role("ci-deployer", { ...PROJECT });
    await seed.role("team-locked");
    await seed.repository("acme-dev-sealed", 1, { ...PROJECT });
    blind = await user("blind-scanner", [
      "iam:GetAccountAuthorizationDetails",
      "iam:ListRoleTags",
      "ecr:ListTagsForResource",
    ]);
    narrow = await user("narrow-scanner", ["iam:GetAccountAuthorizationDetails"]);
    await enforce(true);
  });

  afterAll(async () => {
    seed?.destroy();
    await moto?.stop();
  });

  it("lists what is named for the project as unknown, counts the rest, and still scans everything else", async () => {
    const run = await runCli("orphan-scan --json", { cwd, env: blind });
    expect(run.code, run.stderr).toBe(1);
    const json = JSON.parse(run.stdout) as ScanJson;
    const found = json.resources.map((r) => [r.type, r.id, r.class, r.action]);
    expect(found).toEqual(
      expect.arrayContaining([
        ["vpc", vpc, "orphan", "delete"],
        ["ecr-repository", "acme-dev-sealed", "unknown", null],
        ["iam-role", "acme-dev-locked", "unknown", null],
      ]),
    );
    expect(found.length).toBe(3);
    expect(json.resources.find((r) => r.id === "acme-dev-locked")?.reason).toBe(
      "named for the project, but its tags could not be read (AccessDenied)",
    );
    // ci-deployer and team-locked: only tags could have said; they are counted, not guessed.
    expect(json.unreadable).toEqual({ "iam-role": 2 });
    expect(json.orphans).toBe(1);
    expect(run.stderr).toContain(
      "iam-role: the tags of 2 resource(s) not named for acme-dev could not be read",
    );
  });

  it("without GetAccountAuthorizationDetails reads each role's tags instead, and finds the tagged one", async () => {
    const run = await runCli("orphan-scan --json", { cwd, env: narrow });
    expect(run.code, run.stderr).toBe(1);
    const json = JSON.parse(run.stdout) as ScanJson;
    const byId = new Map(json.resources.map((r) => [r.id, r.class]));
    expect(byId.get("ci-deployer")).toBe("orphan");
    expect(byId.get("acme-dev-locked")).toBe("orphan");
    expect(byId.get("acme-dev-sealed")).toBe("orphan");
    expect(byId.has("team-locked")).toBe(false);
    expect(json.unreadable).toEqual({});
  });

  it("cleanup never deletes a resource whose tags it cannot read", async () => {
    const role = await runCli("cleanup --role acme-dev-locked --yes", { cwd, env: blind });
    expect(role.code).toBe(2);
    expect(role.stderr.split("\n")[0]).toBe(
      "Error: Role acme-dev-locked: its tags could not be read (AccessDenied), so whether it is acme-dev's is unknown; nothing deleted.",
    );
    const repo = await runCli("cleanup --ecr acme-dev-sealed --yes", { cwd, env: blind });
    expect(repo.code).toBe(2);
    expect(repo.stderr.split("\n")[0]).toMatch(
      /^Error: Repository acme-dev-sealed: its tags could not be read \(.+\), so whether it is acme-dev's is unknown; nothing deleted\.$/,
    );
    const orphans = await runCli("cleanup --orphans --yes --json", { cwd, env: blind });
    expect(orphans.code, orphans.stderr).toBe(0);
    const summary = JSON.parse(orphans.stdout) as { items: Array<{ id: string; status: string }> };
    expect(summary.items.map((i) => [i.id, i.status])).toEqual([[vpc, "deleted"]]);

    await enforce(false);
    await expect(seed.iam.send(new GetRoleCommand({ RoleName: "acme-dev-locked" }))).resolves.toBeDefined();
    const ecr = new ECRClient(awsClientConfig(seed.aws, "ECR"));
    const repos = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["acme-dev-sealed"] }));
    ecr.destroy();
    expect(repos.repositories?.length).toBe(1);
  });
});

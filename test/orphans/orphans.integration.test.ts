import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DescribeSubnetsCommand, DescribeVolumesCommand, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { DescribeRepositoriesCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  CreateAccountAliasCommand,
  DeleteAccountAliasCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  ListRolesCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClientConfig } from "../../src/aws/clients.js";
import { type Moto, startTestMoto } from "../support/moto.js";
import { Seeder } from "../support/orphan-seed.js";
import { runCli } from "../support/run-cli.js";

interface ScanJson {
  resources: Array<{
    type: string;
    id: string;
    name: string;
    region: string;
    class: string;
    monthlyCost: number;
    action: string | null;
  }>;
  monthlyCostTotal: number;
  orphans: number;
}
interface CleanupJson {
  mode: string;
  account: string;
  items: Array<{ type: string; id: string; status: string; reason?: string }>;
  deleted: number;
  skipped: number;
  failed: number;
}

const ACCOUNT = "123456789012";
const PROJECT = { ManagedBy: "triton-ops", Project: "acme", Environment: "dev" };

/** Minimal Terraform state holding one resource, so it classes as managed. */
function stateWith(type: string, name: string, id: string): string {
  return JSON.stringify({
    version: 4,
    serial: 1,
    outputs: {},
    resources: [
      {
        mode: "managed",
        type,
        name,
        instances: [{ attributes: { id, arn: `arn:aws:iam::${ACCOUNT}:role/${id}` } }],
      },
    ],
  });
}

describe("orphan-scan and cleanup against the emulator", () => {
  let moto: Moto;
  let seed: Seeder;
  let cwd: string;
  const expected: Array<{ type: string; id: string; class: string }> = [];
  const unrelated: Record<string, string> = {};
  const ids = (...keys: string[]) => keys.map((k) => unrelated[k] ?? k);

  beforeAll(async () => {
    moto = await startTestMoto();
    seed = new Seeder(moto.env);
    cwd = await mkdtemp(path.join(os.tmpdir(), "orphans-"));
    await writeFile(path.join(cwd, "triton-ops.yaml"), "name: acme\nenvironment: dev\nregion: us-east-1\n");
    await mkdir(path.join(cwd, ".triton-ops", "dev", "state"), { recursive: true });
    await writeFile(
      path.join(cwd, ".triton-ops", "dev", "state", "iam.tfstate"),
      stateWith("aws_iam_role", "cluster", "acme-dev-eks-cluster"),
    );
    const add = (type: string, id: string, cls = "orphan") => expected.push({ type, id, class: cls });

    // The project's: a VPC with everything in it, found by tags or by name.
    const vpc = await seed.vpc("10.20.0.0/16", { Name: "acme-dev", ...PROJECT });
    add("vpc", vpc);
    const subnet = await seed.subnet(vpc, "10.20.1.0/24", { Name: "acme-dev-public-us-east-1a", ...PROJECT });
    add("subnet", subnet);
    add("internet-gateway", await seed.igw(vpc, { Name: "acme-dev", ...PROJECT }));
    const eip = await seed.eip({ Name: "acme-dev-nat-us-east-1a", ...PROJECT });
    add("elastic-ip", eip);
    add("nat-gateway", await seed.nat(subnet, eip, { Name: "acme-dev-us-east-1a", ...PROJECT }));
    add("route-table", await seed.routeTable(vpc, subnet, { Name: "acme-dev-public" }));
    const nodes = await seed.securityGroup(vpc, "acme-dev-nodes", {});
    add("security-group", nodes);
    add("network-interface", await seed.eni(subnet, { ...PROJECT }));
    add("ebs-volume", await seed.volume(100, "gp3", { Name: "acme-dev-data" }));
    // What Kubernetes made for a cluster that no longer exists: leftovers.
    const lbGroup = await seed.securityGroup(vpc, "k8s-elb-a1b2", {
      "kubernetes.io/cluster/acme-dev": "owned",
    });
    add("security-group", lbGroup, "leftover");
    await seed.allowFrom(nodes, lbGroup);
    await seed.allowFrom(lbGroup, nodes);
    add(
      "load-balancer",
      await seed.alb("k8s-triton-a1b2", [subnet], {
        "elbv2.k8s.aws/cluster": "acme-dev",
        "kubernetes.io/service-name": "triton/triton",
      }),
      "leftover",
    );
    add(
      "classic-load-balancer",
      await seed.clb("a1b2c3d4e5", [subnet], { "kubernetes.io/cluster/acme-dev": "owned" }),
      "leftover",
    );
    add(
      "ebs-volume",
      await seed.volume(50, "gp2", {
        "kubernetes.io/cluster/acme-dev": "owned",
        "kubernetes.io/created-for/pvc/name": "prometheus-data",
      }),
      "leftover",
    );
    await seed.logGroup("/aws/eks/acme-dev/cluster");
    add("log-group", "/aws/eks/acme-dev/cluster", "leftover");
    // Account-wide and other services.
    await seed.roleWithEverything("acme-dev-eks-node", "acme-dev-eks-node");
    add("iam-role", "acme-dev-eks-node");
    add("iam-instance-profile", "acme-dev-eks-node");
    await seed.role("acme-dev-eks-cluster");
    add("iam-role", "acme-dev-eks-cluster", "managed");
    add(
      "iam-oidc-provider",
      await seed.oidcProvider("https://oidc.eks.us-east-1.amazonaws.com/id/ACME", { ...PROJECT }),
    );
    add("iam-policy", await seed.policy("acme-dev-extra"));
    await seed.repository("acme-dev-triton", 2);
    add("ecr-repository", "acme-dev-triton");
    await seed.bucket(`acme-dev-models-${ACCOUNT}`);
    add("s3-bucket", `acme-dev-models-${ACCOUNT}`);
    const key = await seed.kmsKey("alias/acme-dev-eks", { ...PROJECT });
    add("kms-key", key);
    add("kms-alias", "alias/acme-dev-eks");

    // The project's by its tags alone: names that do not start with acme-dev- (the seed's own CI role).
    await seed.role("triton-mlops-github-actions-oidc-role", { ...PROJECT });
    add("iam-role", "triton-mlops-github-actions-oidc-role");
    await seed.instanceProfile("ci-runner-profile", { ...PROJECT });
    add("iam-instance-profile", "ci-runner-profile");
    add("iam-policy", await seed.policy("models-read", { ManagedBy: "triton-ops", Project: "acme" }));
    await seed.repository("model-cache", 0, { ...PROJECT });
    add("ecr-repository", "model-cache");
    await seed.bucket(`ml-artifacts-${ACCOUNT}`, false, { ...PROJECT });
    add("s3-bucket", `ml-artifacts-${ACCOUNT}`);
    await seed.logGroup("/aws/vpc/legacy-flow-logs", { ...PROJECT });
    add("log-group", "/aws/vpc/legacy-flow-logs");
    // The project's prefix, but tagged for another project or environment: never ours.
    unrelated.prodRole = await seed
      .role("acme-dev-prodrole", { Project: "acme", Environment: "prod" })
      .then(() => "acme-dev-prodrole");
    await seed.instanceProfile("acme-dev-other-profile", { ManagedBy: "triton-ops", Project: "other" });
    unrelated.otherProfile = "acme-dev-other-profile";
    unrelated.prodPolicy = await seed.policy("acme-dev-prod-extra", { ...PROJECT, Environment: "prod" });
    await seed.repository("acme-dev-theirs", 1, { ManagedBy: "triton-ops", Project: "zeta" });
    unrelated.theirRepo = "acme-dev-theirs";
    await seed.bucket(`acme-dev-models-prod-${ACCOUNT}`, false, { ...PROJECT, Environment: "prod" });
    unrelated.prodBucket = `acme-dev-models-prod-${ACCOUNT}`;
    await seed.logGroup("/aws/eks/acme-dev/cluster-theirs", { ManagedBy: "triton-ops", Project: "zeta" });
    unrelated.theirLogs = "/aws/eks/acme-dev/cluster-theirs";

    // Not the project's: other names, other tags, the same project's other environment, shared subnets.
    unrelated.otherVpc = await seed.vpc("10.30.0.0/16", { Name: "other-dev" });
    unrelated.sharedSubnet = await seed.subnet(unrelated.otherVpc, "10.30.1.0/24", {
      Name: "x",
      "kubernetes.io/cluster/acme-dev": "shared",
    });
    unrelated.prodVpc = await seed.vpc("10.40.0.0/16", {
      Name: "acme-prod",
      ManagedBy: "triton-ops",
      Project: "acme",
      Environment: "prod",
    });
    unrelated.squatVpc = await seed.vpc("10.50.0.0/16", {
      Name: "acme-dev-lookalike",
      Project: "someone-else",
    });
    unrelated.otherVolume = await seed.volume(10, "gp2", { "kubernetes.io/cluster/other": "owned" });
    unrelated.plainVolume = await seed.volume(10, "gp2", {});
    unrelated.otherLb = await seed.alb("other-lb", [unrelated.sharedSubnet], { Team: "data" });
    unrelated.otherRole = await seed.role("other-dev-role");
    unrelated.developerRole = await seed.role("acme-developer");
    unrelated.otherOidc = await seed.oidcProvider("https://token.actions.githubusercontent.com", {});
    await seed.repository("other-repo");
    await seed.logGroup("/aws/eks/other/cluster");
    unrelated.otherKey = await seed.kmsKey("alias/other", {});
  });

  afterAll(async () => {
    seed?.destroy();
    await moto?.stop();
  });

  const scan = async () => {
    const run = await runCli("orphan-scan --json", { cwd, env: moto.env });
    return { run, json: JSON.parse(run.stdout || "{}") as ScanJson };
  };

  it("finds exactly the project's resources and classes them", async () => {
    const { run, json } = await scan();
    expect(run.code, run.stderr).toBe(1);
    const found = json.resources.map((r) => ({ type: r.type, id: r.id, class: r.class }));
    const sortKey = (r: { type: string; id: string }) => `${r.type} ${r.id}`;
    expect([...found].sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(
      [...expected].sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
    );
    const byId = new Map(json.resources.map((r) => [r.id, r]));
    const nat = json.resources.find((r) => r.type === "nat-gateway");
    expect(nat?.monthlyCost).toBe(32.85);
    expect(json.resources.find((r) => r.type === "elastic-ip")?.monthlyCost).toBe(3.65);
    expect(json.resources.find((r) => r.name === "acme-dev-data")?.monthlyCost).toBe(8);
    expect(json.resources.find((r) => r.type === "classic-load-balancer")?.monthlyCost).toBe(18.25);
    expect(byId.get("acme-dev-triton")?.action).toBe("adopt");
    expect(byId.get("acme-dev-eks-cluster")?.action).toBeNull();
    const orphanCosts = json.resources
      .filter((r) => r.class !== "managed")
      .reduce((a, r) => a + r.monthlyCost, 0);
    expect(json.monthlyCostTotal).toBeCloseTo(orphanCosts, 2);
    expect(json.monthlyCostTotal).toBeGreaterThan(80);
    for (const id of Object.values(unrelated)) expect(byId.has(id), id).toBe(false);

    const human = await runCli("orphan-scan", { cwd, env: moto.env });
    expect(human.stdout).toMatch(/TYPE\s+ID\s+NAME\s+REGION\s+AGE\s+CLASS\s+MONTHLY\s+ACTION/);
    expect(human.stdout).toContain("orphan(s) of acme-dev");
  });

  it("refuses bad flags before touching anything", async () => {
    const both = await runCli("orphan-scan --regions us-east-1 --all-regions", { cwd, env: moto.env });
    expect(both.code).toBe(2);
    const bad = await runCli("orphan-scan --regions mars-1", { cwd, env: moto.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("not an AWS region");
    const none = await runCli("cleanup", { cwd, env: moto.env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("--orphans, --role NAME or --ecr REPOSITORY");
    // No project config: the default name could match someone else's resources.
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), "orphans-noconfig-"));
    const noConfig = await runCli("cleanup --orphans --yes", { cwd: elsewhere, env: moto.env });
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain("No triton-ops.yaml here");
  });

  it("refuses roles and repositories that are not the project's", async () => {
    const role = await runCli("cleanup --role other-dev-role --yes", { cwd, env: moto.env });
    expect(role.code).toBe(2);
    expect(role.stderr).toContain("not the project's");
    const lookalike = await runCli("cleanup --role acme-developer --yes", { cwd, env: moto.env });
    expect(lookalike.code).toBe(2);
    const repo = await runCli("cleanup --ecr other-repo --yes", { cwd, env: moto.env });
    expect(repo.code).toBe(2);
    // The project's prefix, but tagged for acme's prod and for project zeta: refused in one line.
    const prodRole = await runCli("cleanup --role acme-dev-prodrole --yes", { cwd, env: moto.env });
    expect(prodRole.code).toBe(2);
    expect(prodRole.stderr.trim().split("\n")[0]).toBe(
      "Error: Role acme-dev-prodrole is not the project's: it is tagged Environment=prod, not for acme/dev.",
    );
    const zeta = await runCli("cleanup --ecr acme-dev-theirs --yes", { cwd, env: moto.env });
    expect(zeta.code).toBe(2);
    expect(zeta.stderr).toContain(
      "Repository acme-dev-theirs is not the project's: it is tagged Project=zeta",
    );
    await expect(seed.iam.send(new GetRoleCommand({ RoleName: "acme-dev-prodrole" }))).resolves.toBeDefined();
    const ecr = new ECRClient(awsClientConfig(seed.aws, "ECR"));
    const left = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["acme-dev-theirs"] }));
    ecr.destroy();
    expect(left.repositories?.length).toBe(1);
    const roles = await seed.iam.send(new ListRolesCommand({}));
    expect(roles.Roles?.map((r) => r.RoleName)).toEqual(
      expect.arrayContaining(["other-dev-role", "acme-developer"]),
    );
  });

  it("tears one role down with attached and inline policies and its instance profile; again is success", async () => {
    await seed.roleWithEverything("acme-dev-ci", "acme-dev-ci");
    await seed.instanceProfile("shared-profile");
    await seed.iam.send(
      new (await import("@aws-sdk/client-iam")).AddRoleToInstanceProfileCommand({
        InstanceProfileName: "shared-profile",
        RoleName: "acme-dev-ci",
      }),
    );
    const dry = await runCli("cleanup --role acme-dev-ci --json", { cwd, env: moto.env });
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as CleanupJson & { items: Array<{ detail: string[] }> };
    expect(plan.mode).toBe("dry-run");
    expect(plan.items[0]?.detail).toEqual(
      expect.arrayContaining([
        "detach arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "delete inline policy read-models",
        "delete instance profile acme-dev-ci",
        "remove from instance profile shared-profile",
      ]),
    );
    await expect(seed.iam.send(new GetRoleCommand({ RoleName: "acme-dev-ci" }))).resolves.toBeDefined();

    const run = await runCli("cleanup --role acme-dev-ci --yes --json", { cwd, env: moto.env });
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as CleanupJson).deleted).toBe(1);
    await expect(seed.iam.send(new GetRoleCommand({ RoleName: "acme-dev-ci" }))).rejects.toMatchObject({
      name: expect.stringMatching(/^NoSuchEntity/),
    });
    await expect(
      seed.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "acme-dev-ci" })),
    ).rejects.toMatchObject({
      name: expect.stringMatching(/^NoSuchEntity/),
    });
    const shared = await seed.iam.send(
      new GetInstanceProfileCommand({ InstanceProfileName: "shared-profile" }),
    );
    expect(shared.InstanceProfile?.Roles ?? []).toEqual([]);

    const again = await runCli("cleanup --role acme-dev-ci --yes --json", { cwd, env: moto.env });
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as CleanupJson).mode).toBe("nothing");
  });

  it("empties and deletes one ECR repository", async () => {
    await seed.repository("acme-dev-scratch", 3);
    const run = await runCli("cleanup --ecr acme-dev-scratch --yes", { cwd, env: moto.env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("deleted 3 image(s)");
    const ecr = new ECRClient(awsClientConfig(seed.aws, "ECR"));
    await expect(
      ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["acme-dev-scratch"] })),
    ).rejects.toMatchObject({
      name: "RepositoryNotFoundException",
    });
    ecr.destroy();
  });

  it("refuses an account whose alias says prod unless --allow-prod, and one outside allowedAccountIds", async () => {
    await seed.iam.send(new CreateAccountAliasCommand({ AccountAlias: "acme-prod" }));
    try {
      const run = await runCli("cleanup --orphans", { cwd, env: moto.env });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('alias "acme-prod"');
      const allowed = await runCli("cleanup --orphans --allow-prod --json", { cwd, env: moto.env });
      expect(allowed.code, allowed.stderr).toBe(0);
      expect((JSON.parse(allowed.stdout) as CleanupJson).mode).toBe("dry-run");
    } finally {
      await seed.iam.send(new DeleteAccountAliasCommand({ AccountAlias: "acme-prod" }));
    }
    const other = await mkdtemp(path.join(os.tmpdir(), "orphans-acct-"));
    await writeFile(
      path.join(other, "triton-ops.yaml"),
      "name: acme\nenvironment: dev\nallowedAccountIds: ['111111111111']\n",
    );
    const denied = await runCli("cleanup --orphans --yes", { cwd: other, env: moto.env });
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain("not in allowedAccountIds");
  });

  it("dry run by default; above 10 items --yes needs the account id; then deletes every orphan and nothing else", async () => {
    const before = (await scan()).json;
    const dry = await runCli("cleanup --orphans --json", { cwd, env: moto.env });
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as CleanupJson;
    expect(plan.mode).toBe("dry-run");
    expect(plan.items.length).toBe(before.orphans);
    expect(plan.items.every((i) => i.status === "would-delete")).toBe(true);
    expect((await scan()).json.orphans).toBe(before.orphans);

    const noAccount = await runCli("cleanup --orphans --yes", { cwd, env: moto.env });
    expect(noAccount.code).toBe(2);
    expect(noAccount.stderr).toContain(`--confirm-account ${ACCOUNT}`);
    const wrong = await runCli("cleanup --orphans --yes --confirm-account 111111111111", {
      cwd,
      env: moto.env,
    });
    expect(wrong.code).toBe(2);
    expect((await scan()).json.orphans).toBe(before.orphans);

    // In a terminal: the list, then the account id typed in.
    const declined = await runCli("cleanup --orphans --yes", {
      cwd,
      env: moto.env,
      answers: [{ question: new RegExp(`Type the account id ${ACCOUNT}`), answer: "nope" }],
    });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain("will be deleted");
    const run = await runCli("cleanup --orphans --yes --json", {
      cwd,
      env: moto.env,
      answers: [{ question: new RegExp(`Type the account id ${ACCOUNT}`), answer: ACCOUNT }],
    });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as CleanupJson;
    expect(summary.failed, JSON.stringify(summary.items.filter((i) => i.status === "failed"))).toBe(0);
    expect(summary.deleted).toBe(before.orphans);

    const after = await scan();
    expect(after.run.code, after.run.stderr).toBe(0);
    expect(after.json.resources.map((r) => [r.id, r.class])).toEqual([["acme-dev-eks-cluster", "managed"]]);
    const vpcs = await seed.ec2.send(
      new DescribeVpcsCommand({ VpcIds: ids("otherVpc", "prodVpc", "squatVpc") }),
    );
    expect(vpcs.Vpcs?.length).toBe(3);
    const volumes = await seed.ec2.send(
      new DescribeVolumesCommand({ VolumeIds: ids("otherVolume", "plainVolume") }),
    );
    expect(volumes.Volumes?.length).toBe(2);
    const roles = (await seed.iam.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName);
    expect(roles).toEqual(
      expect.arrayContaining([
        "other-dev-role",
        "acme-developer",
        "acme-dev-eks-cluster",
        "acme-dev-prodrole",
      ]),
    );
    await expect(
      seed.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "acme-dev-other-profile" })),
    ).resolves.toBeDefined();
    const ecr = new ECRClient(awsClientConfig(seed.aws, "ECR"));
    const repos = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["acme-dev-theirs"] }));
    ecr.destroy();
    expect(repos.repositories?.length).toBe(1);

    const again = await runCli("cleanup --orphans --yes --json", { cwd, env: moto.env });
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as CleanupJson).mode).toBe("nothing");
  });

  it("keeps a model bucket that still holds objects (skipped, with the reason)", async () => {
    await seed.bucket("acme-dev-models-keep", true);
    const run = await runCli("cleanup --orphans --yes --json", { cwd, env: moto.env });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as CleanupJson;
    expect(summary.items).toEqual([
      expect.objectContaining({
        id: "acme-dev-models-keep",
        status: "skipped",
        reason: expect.stringContaining("still holds objects"),
      }),
    ]);
  });

  it("goes on after a failure and reports it with the reason (exit 3)", async () => {
    const vpc = await seed.vpc("10.70.0.0/16", { Name: "acme-dev-broken", ...PROJECT });
    // Someone else's subnet inside the project's VPC: cleanup must not touch it, so the VPC cannot go.
    const foreign = await seed.subnet(vpc, "10.70.1.0/24", { Name: "foreign", Project: "someone-else" });
    const volume = await seed.volume(5, "gp2", { Name: "acme-dev-scratch" });
    const run = await runCli("cleanup --orphans --yes --wait 0 --json", { cwd, env: moto.env });
    expect(run.code, run.stderr).toBe(3);
    const summary = JSON.parse(run.stdout) as CleanupJson;
    expect(summary.items.find((i) => i.id === vpc)).toMatchObject({
      status: "failed",
      reason: expect.stringContaining("DependencyViolation"),
    });
    expect(summary.items.find((i) => i.id === volume)?.status).toBe("deleted");
    expect(summary.failed).toBe(1);
    expect(run.stderr).toContain(`could not delete vpc ${vpc}`);
    const subnets = await seed.ec2.send(new DescribeSubnetsCommand({ SubnetIds: [foreign] }));
    expect(subnets.Subnets?.length).toBe(1);
    const badWait = await runCli("cleanup --orphans --wait soon", { cwd, env: moto.env });
    expect(badWait.code).toBe(2);
  });
});

import { mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ECRClient, GetAuthorizationTokenCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import { GetRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type AwsContext, awsClientConfig } from "../../src/aws/clients.js";
import { readSandboxState, sandboxEnv, stopProcess } from "../../src/sandbox/sandbox.js";
import { FAKE_DIGEST, fakeDocker } from "../support/fake-docker.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";
import { validateWorkflow } from "../support/workflows.js";

interface Step {
  id: string;
  status: string;
  detail: string;
  hint?: string;
  problems?: string[];
}

const ROLE = "ci-test-github-actions-oidc-role";
const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
const REPOSITORY_URL = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ci-test-triton";
const WRITTEN = [
  ".github/workflows/deploy.yml",
  ".github/workflows/plan.yml",
  "Dockerfile",
  ".dockerignore",
  "models/identity/config.pbtxt",
  "models/identity/1/model.py",
];

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** The emulator's ECR token and the docker password inside it, read straight from the SDK. */
async function ecrToken(aws: AwsContext): Promise<{ token: string; password: string }> {
  const ecr = new ECRClient(awsClientConfig(aws, "ECR"));
  try {
    const out = await ecr.send(new GetAuthorizationTokenCommand({}));
    const token = out.authorizationData?.[0]?.authorizationToken ?? "";
    return { token, password: Buffer.from(token, "base64").toString("utf8").split(":")[1] ?? "" };
  } finally {
    ecr.destroy();
  }
}

/**
 * The "done when", as a new user would: after `up` of iam and ecr on the sandbox (real
 * Terraform, one apply), `ci init` writes valid workflows naming the right role and repository, and
 * `ci check` reports each step with pass or fail and a hint. EKS is left out: its apply would add a
 * minute for one step that then passes; its failing path (no cluster, with the hint) is tested instead.
 */
describe("ci on the sandbox", () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let aws: AwsContext;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "ci-e2e-"));
    env = { ...process.env, TRITON_OPS_PROVIDER_MIRROR: providerMirror() };
    delete env.GITHUB_ACTIONS;
    delete env.DOCKER_HOST;
    const init = await runCli("init --yes --sandbox --name ci --env test --github-repo acme/models", {
      cwd,
      env,
    });
    expect(init.code, init.stderr).toBe(0);
    const up = await runCli("up --stage iam,ecr --yes --json", { cwd, env });
    expect(up.code, up.stderr).toBe(0);
    const state = await readSandboxState(path.join(cwd, ".triton-ops"));
    aws = { region: "us-east-1", env: sandboxEnv(process.env, state!.endpoint, "us-east-1"), sandbox: true };
  });

  afterAll(async () => {
    const state = cwd ? await readSandboxState(path.join(cwd, ".triton-ops")) : undefined;
    if (state) await stopProcess(state.pid);
  });

  it("ci init writes valid workflows naming the deploy role and the ECR repository", async () => {
    const dir = path.join(cwd, "repo");
    const run = await runCli(`ci init --repo acme/models --dir ${dir} --json`, { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { roleArn: string; repositoryUrl: string; files: unknown[] };
    expect(result.roleArn).toBe(ROLE_ARN);
    expect(result.repositoryUrl).toBe(REPOSITORY_URL);
    expect(result.files).toHaveLength(WRITTEN.length);

    // The ARN written is the role that exists, not a name guessed alike.
    const iam = new IAMClient(awsClientConfig(aws, "IAM"));
    const role = await iam.send(new GetRoleCommand({ RoleName: ROLE }));
    iam.destroy();
    expect(role.Role?.Arn).toBe(ROLE_ARN);

    for (const name of [".github/workflows/deploy.yml", ".github/workflows/plan.yml"]) {
      const check = await validateWorkflow(name, await readFile(path.join(dir, name), "utf8"));
      expect(check.errors, name).toEqual([]);
    }
    const deploy = parse(await readFile(path.join(dir, ".github/workflows/deploy.yml"), "utf8")) as {
      env: Record<string, string>;
      jobs: { deploy: { steps: Array<{ uses?: string; with?: Record<string, string> }> } };
    };
    const creds = deploy.jobs.deploy.steps.find((s) =>
      s.uses?.startsWith("aws-actions/configure-aws-credentials"),
    );
    expect(creds?.with?.["role-to-assume"]).toBe(ROLE_ARN);
    expect(deploy.env).toMatchObject({
      AWS_REGION: "us-east-1",
      ECR_REPOSITORY_URL: REPOSITORY_URL,
      EKS_CLUSTER_NAME: "ci-test",
    });
    expect(await readFile(path.join(dir, "Dockerfile"), "utf8")).toContain("COPY models/ /models/");
    expect(run.stderr).not.toContain("Error");
  });

  it("ci init refuses to overwrite, lists the files, and writes nothing", async () => {
    const dir = path.join(cwd, "existing");
    await mkdir(path.join(dir, ".github/workflows"), { recursive: true });
    await writeFile(path.join(dir, ".github/workflows/plan.yml"), "# mine\n");
    const refused = await runCli(`ci init --dir ${dir}`, { cwd, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("Not overwriting 1 existing file(s)");
    expect(refused.stderr).toContain(".github/workflows/plan.yml");
    expect(refused.stderr).toContain("--force");
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    expect(await readFile(path.join(dir, ".github/workflows/plan.yml"), "utf8")).toBe("# mine\n");
    for (const file of WRITTEN.filter((f) => f !== ".github/workflows/plan.yml")) {
      expect(await exists(path.join(dir, file)), file).toBe(false);
    }

    const forced = await runCli(`ci init --dir ${dir} --force --json`, { cwd, env });
    expect(forced.code, forced.stderr).toBe(0);
    const files = (JSON.parse(forced.stdout) as { files: Array<{ path: string; action: string }> }).files;
    expect(files.find((f) => f.path === ".github/workflows/plan.yml")?.action).toBe("overwritten");
    expect(files.filter((f) => f.action === "created")).toHaveLength(WRITTEN.length - 1);
    expect(await readFile(path.join(dir, ".github/workflows/plan.yml"), "utf8")).toContain("name: plan");
  });

  it("ci init refuses a repository the role does not trust, and says which it trusts", async () => {
    const dir = path.join(cwd, "other");
    const run = await runCli(`ci init --repo acme/other --dir ${dir}`, { cwd, env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("it trusts only repo:acme/models:ref:refs/heads/main");
    expect(await exists(dir)).toBe(false);
  });

  it("ci check reports each step with pass or fail and a hint, never the ECR token", async () => {
    const run = await runCli("ci check --json", { cwd, env });
    expect(run.code).toBe(1);
    const steps = (JSON.parse(run.stdout) as { steps: Step[] }).steps;
    expect(steps.map((s) => [s.id, s.status])).toEqual([
      ["identity", "pass"],
      ["oidc-provider", "pass"],
      ["role-trust", "pass"],
      ["ecr-login", "pass"],
      ["ecr-repository", "pass"],
      ["eks-cluster", "fail"],
    ]);
    expect(steps[0]?.detail).toContain("account 123456789012");
    expect(steps[2]?.detail).toBe(`${ROLE} trusts repo:acme/models:ref:refs/heads/main`);
    expect(steps[4]?.detail).toBe(`${REPOSITORY_URL}, tags IMMUTABLE`);
    expect(steps[5]?.hint).toContain("triton-ops up --stage eks");

    const { token, password } = await ecrToken(aws);
    expect(password.length).toBeGreaterThan(0);
    const human = await runCli("ci check", { cwd, env });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/pass\s+role-trust/);
    expect(human.stdout).toMatch(
      /FAIL\s+eks-cluster\s+cluster ci-test does not exist\n\s+hint: Run `triton-ops up --stage eks`/,
    );
    for (const out of [run.stdout, run.stderr, human.stdout, human.stderr]) {
      expect(out).not.toContain(token);
      expect(out).not.toContain(password);
    }
  });

  it("ci check on a runner takes the repo and branch from GitHub's variables", async () => {
    const runner = {
      ...env,
      GITHUB_ACTIONS: "true",
      GITHUB_REPOSITORY: "acme/models",
      GITHUB_REF: "refs/heads/feature",
      GITHUB_EVENT_NAME: "push",
    };
    const run = await runCli("ci check --json", { cwd, env: runner });
    const result = JSON.parse(run.stdout) as { where: string; steps: Step[] };
    expect(result.where).toBe("github-actions");
    expect(result.steps.find((s) => s.id === "role-trust")).toMatchObject({
      status: "fail",
      problems: ["wrong-branch"],
      detail: "The role trusts pushes to main of acme/models, not feature.",
    });
  });

  it("image push refuses bad input, an existing immutable tag, and a missing Docker engine", async () => {
    const badTag = await runCli(["image", "push", "--tag", "no spaces"], { cwd, env });
    expect(badTag.code).toBe(2);
    expect(badTag.stderr).toContain("is not a valid image tag");

    const ecr = new ECRClient(awsClientConfig(aws, "ECR"));
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      config: {
        mediaType: "application/vnd.docker.container.image.v1+json",
        size: 2,
        digest: `sha256:${"1".repeat(64)}`,
      },
      layers: [],
    });
    await ecr.send(
      new PutImageCommand({ repositoryName: "ci-test-triton", imageTag: "v1", imageManifest: manifest }),
    );
    ecr.destroy();
    const taken = await runCli("image push --tag v1", { cwd, env });
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain("Tag v1 already exists in ci-test-triton");
    expect(taken.stderr).toContain("IMMUTABLE");

    // This machine has the docker client and no engine: the real `docker info` answers that.
    const noEngine = await runCli("image push --tag v2 --json", { cwd, env });
    expect(noEngine.code).toBe(2);
    expect(noEngine.stdout).toBe("");
    expect(noEngine.stderr).toMatch(/^Error: No Docker engine answers here \(docker info: .+\)\.$/m);
    expect(noEngine.stderr).not.toMatch(/\n\s+at /);
  });

  it("image push logs in with the SDK's token over stdin and pushes to the project's repository", async () => {
    // No engine here, so `docker` is a recording stand-in; ECR, the tag check and the CLI are real.
    const docker = await fakeDocker(true);
    const withDocker = { ...env, PATH: `${docker.dir}${path.delimiter}${env.PATH ?? ""}` };
    const run = await runCli("image push --tag v3 --image local:dev --json", { cwd, env: withDocker });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      image: "local:dev",
      pushed: `${REPOSITORY_URL}:v3`,
      repositoryUrl: REPOSITORY_URL,
      tag: "v3",
      digest: FAKE_DIGEST,
    });

    const { password } = await ecrToken(aws);
    const calls = (await readFile(docker.log, "utf8")).trim().split("\n");
    expect(calls.filter((c) => c.startsWith("ARGV")).map((c) => c.split(" ")[1])).toEqual([
      "info",
      "image",
      "login",
      "tag",
      "push",
    ]);
    expect(calls).toContain(
      "ARGV login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com",
    );
    expect(calls).toContain(`STDIN ${password}`);
    expect(calls).toContain(`ARGV tag local:dev ${REPOSITORY_URL}:v3`);
    for (const line of calls.filter((c) => c.startsWith("ARGV"))) expect(line).not.toContain(password);
    expect(run.stdout + run.stderr).not.toContain(password);

    const missing = await runCli("image push --tag v4 --image nothing:here", { cwd, env: withDocker });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("No local image nothing:here.");
  });

  // Last: it loosens the role's trust, as a hand edit in the console would.
  it("ci check explains a wildcard subject in the role's trust", async () => {
    const iam = new IAMClient(awsClientConfig(aws, "IAM"));
    const current = await iam.send(new GetRoleCommand({ RoleName: ROLE }));
    const doc = JSON.parse(decodeURIComponent(current.Role?.AssumeRolePolicyDocument ?? "")) as {
      Statement: Array<{ Condition: Record<string, Record<string, unknown>> }>;
    };
    const statement = doc.Statement[0]!;
    delete statement.Condition.StringEquals!["token.actions.githubusercontent.com:sub"];
    statement.Condition.StringLike = { "token.actions.githubusercontent.com:sub": "repo:*" };
    await iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: ROLE, PolicyDocument: JSON.stringify(doc) }),
    );
    iam.destroy();

    const run = await runCli("ci check --json", { cwd, env });
    expect(run.code).toBe(1);
    const trust = (JSON.parse(run.stdout) as { steps: Step[] }).steps.find((s) => s.id === "role-trust");
    expect(trust).toMatchObject({ status: "fail", problems: ["wildcard-subject"] });
    expect(trust?.detail).toContain("repo:* lets workflows of other repositories assume the role");
    expect(trust?.hint).toContain("triton-ops up --stage iam");
  });
});

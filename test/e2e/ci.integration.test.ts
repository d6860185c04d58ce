import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { ECRClient, GetAuthorizationTokenCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import { GetRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { type AwsContext, awsClientConfig } from "../../src/aws/clients.js";
import { matchTrust } from "../../src/ci/trust.js";
import { readSandboxState, sandboxEnv, stopProcess } from "../../src/sandbox/sandbox.js";
import { actionlint } from "../support/actionlint.js";
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
const PLAN_ROLE = "ci-test-github-plan-role";
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
  let server: Server;
  /** A triton-ops tarball served on loopback: a real tarball spec that real `npm view` resolves. */
  let cliSpec: string;
  let missingSpec: string;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "ci-e2e-"));
    const pkg = path.join(cwd, "pkg", "package");
    await mkdir(pkg, { recursive: true });
    await writeFile(
      path.join(pkg, "package.json"),
      JSON.stringify({ name: "triton-ops", version: "0.1.0", bin: { "triton-ops": "bin.js" } }),
    );
    await writeFile(path.join(pkg, "bin.js"), "");
    execFileSync("tar", [
      "-czf",
      path.join(cwd, "pkg", "triton-ops-0.1.0.tgz"),
      "-C",
      path.join(cwd, "pkg"),
      "package",
    ]);
    const tarball = await readFile(path.join(cwd, "pkg", "triton-ops-0.1.0.tgz"));
    server = createServer((req, res) => {
      if (req.url === "/triton-ops-0.1.0.tgz") {
        res.writeHead(200, { "content-type": "application/octet-stream" }).end(tarball);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    cliSpec = `http://127.0.0.1:${port}/triton-ops-0.1.0.tgz`;
    missingSpec = `http://127.0.0.1:${port}/triton-ops-9.9.9.tgz`;
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
    await editConfig((doc) => {
      doc.ci = { cliPackage: cliSpec };
    });
    const state = await readSandboxState(path.join(cwd, ".triton-ops"));
    aws = { region: "us-east-1", env: sandboxEnv(process.env, state!.endpoint, "us-east-1"), sandbox: true };
    // Two real applies on a shared 2-core machine: more than the project's default hook time.
  }, 300_000);

  afterAll(async () => {
    server?.close();
    const state = cwd ? await readSandboxState(path.join(cwd, ".triton-ops")) : undefined;
    if (state) await stopProcess(state.pid);
  });

  async function editConfig(change: (doc: Record<string, Record<string, unknown>>) => void): Promise<void> {
    const file = path.join(cwd, "triton-ops.yaml");
    const doc = parse(await readFile(file, "utf8")) as Record<string, Record<string, unknown>>;
    change(doc);
    await writeFile(file, stringify(doc));
  }

  it("ci init writes valid workflows naming the deploy role and the ECR repository", async () => {
    const dir = path.join(cwd, "repo");
    const run = await runCli(`ci init --repo acme/models --dir ${dir} --json`, { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as {
      roleArn: string;
      repositoryUrl: string;
      files: unknown[];
      planRoleArn: string;
      runner: unknown;
      cliPackage: { spec: string; name: string; version: string };
    };
    expect(result.roleArn).toBe(ROLE_ARN);
    expect(result.planRoleArn).toBe(`arn:aws:iam::123456789012:role/${PLAN_ROLE}`);
    // Real npm resolved the spec the workflows name.
    expect(result.cliPackage).toEqual({ spec: cliSpec, name: "triton-ops", version: "0.1.0" });
    // The sandbox's endpoint is private only: the deploy job runs on the self-hosted runner's labels.
    expect(result.runner).toEqual(["self-hosted", "linux", "x64"]);
    expect(result.repositoryUrl).toBe(REPOSITORY_URL);
    expect(result.files).toHaveLength(WRITTEN.length);

    // The ARN written is the role that exists, not a name guessed alike.
    const iam = new IAMClient(awsClientConfig(aws, "IAM"));
    const role = await iam.send(new GetRoleCommand({ RoleName: ROLE }));
    iam.destroy();
    expect(role.Role?.Arn).toBe(ROLE_ARN);

    for (const name of [".github/workflows/deploy.yml", ".github/workflows/plan.yml"]) {
      const text = await readFile(path.join(dir, name), "utf8");
      const check = await validateWorkflow(name, text);
      expect(check.errors, name).toEqual([]);
      expect(await actionlint(name, text), name).toEqual([]);
      const uses = [...text.matchAll(/uses: (\S+)/g)].map((m) => m[1] ?? "");
      expect(uses.length, name).toBeGreaterThan(0);
      for (const u of uses) expect(u, name).toMatch(/^(actions|aws-actions)\/[a-z-]+@[0-9a-f]{40}$/);
      // No step runs a package by a name: only the spec just resolved is installed.
      expect(text, name).not.toMatch(/npx|triton-ops@/);
      expect(text, name).toContain(`TRITON_OPS_PACKAGE: "${cliSpec}"`);
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
    // The models go to the bucket the stacks made, not into the image.
    expect(deploy.env.MODEL_BUCKET).toMatch(/^ci-test-models-\d{12}$/);
    expect(await readFile(path.join(dir, "Dockerfile"), "utf8")).not.toMatch(/^\s*COPY\b/m);
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

  it("ci init refuses a package spec that does not resolve, or none at all, and writes nothing", async () => {
    const dir = path.join(cwd, "unresolved");
    const missing = await runCli(["ci", "init", "--dir", dir, "--cli-package", missingSpec], { cwd, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`ci.cliPackage ${missingSpec} does not resolve:`);
    expect(missing.stderr).toContain("npm view");
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const unpinned = await runCli(["ci", "init", "--dir", dir, "--cli-package", "triton-ops"], { cwd, env });
    expect(unpinned.code).toBe(2);
    expect(unpinned.stderr).toContain("must be a name at an exact version");
    expect(await exists(dir)).toBe(false);
  });

  it("up --stage iam made a read-only plan role that trusts only the repository's pull requests", async () => {
    const iam = new IAMClient(awsClientConfig(aws, "IAM"));
    const role = await iam.send(new GetRoleCommand({ RoleName: PLAN_ROLE }));
    iam.destroy();
    const doc = role.Role?.AssumeRolePolicyDocument ?? "";
    expect(matchTrust(doc, { repo: "acme/models", event: "pull_request" }).ok).toBe(true);
    expect(matchTrust(doc, { repo: "acme/models", branch: "main" }).problems.map((p) => p.code)).toEqual([
      "wrong-subject",
    ]);
    expect(matchTrust(doc, { repo: "acme/other", event: "pull_request" }).ok).toBe(false);
  });

  it("ci check reports each step with pass or fail and a hint, never the ECR token", async () => {
    const run = await runCli("ci check --json", { cwd, env });
    expect(run.code).toBe(1);
    const steps = (JSON.parse(run.stdout) as { steps: Step[] }).steps;
    expect(steps.map((s) => [s.id, s.status])).toEqual([
      ["identity", "pass"],
      ["cli-package", "pass"],
      ["oidc-provider", "pass"],
      ["role-trust", "warn"],
      ["ecr-login", "pass"],
      ["ecr-repository", "pass"],
      ["model-bucket", "pass"],
      ["eks-cluster", "fail"],
      ["eks-endpoint", "skip"],
      ["eks-access", "skip"],
    ]);
    expect(steps[0]?.detail).toContain("account 123456789012");
    expect(steps[1]?.detail).toBe(`${cliSpec} resolves to triton-ops@0.1.0`);
    expect(steps[3]?.detail).toContain(`${ROLE} trusts repo:acme/models:ref:refs/heads/main.`);
    expect(steps[3]?.detail).toContain("since 2026-06-18");
    expect(steps[5]?.detail).toBe(`${REPOSITORY_URL}, tags IMMUTABLE`);
    expect(steps[6]?.detail).toMatch(/^s3:\/\/ci-test-models-\d{12}\/models\/: list and write/);
    expect(steps[7]?.hint).toContain("triton-ops up --stage eks");
    // The write was tried with an upload begun and aborted: the bucket holds no object and no upload from it.
    const bucket = /^s3:\/\/([^/]+)\//.exec(steps[6]?.detail ?? "")?.[1];
    const s3 = new S3Client({ ...awsClientConfig(aws, "S3") });
    const [objects, uploads] = await Promise.all([
      s3.send(new ListObjectsV2Command({ Bucket: bucket })),
      s3.send(new ListMultipartUploadsCommand({ Bucket: bucket })),
    ]);
    s3.destroy();
    expect(objects.KeyCount ?? 0).toBe(0);
    expect(uploads.Uploads ?? []).toEqual([]);

    const { token, password } = await ecrToken(aws);
    expect(password.length).toBeGreaterThan(0);
    const human = await runCli("ci check", { cwd, env });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/warn\s+role-trust/);
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

  it("ci check fails a repository sending the immutable subject until the ids are applied", async () => {
    const before = await runCli("ci check --repo-id 22 --owner-id 11 --json", { cwd, env });
    const trust = (JSON.parse(before.stdout) as { steps: Step[] }).steps.find((s) => s.id === "role-trust");
    expect(trust).toMatchObject({ status: "fail", problems: ["immutable-subject-not-trusted"] });
    expect(trust?.detail).toContain("not the immutable form repo:acme-11/models-22:ref:refs/heads/main");
    expect(trust?.hint).toContain("github.repositoryId: 22 and github.ownerId: 11");

    await editConfig((doc) => {
      doc.github = { ...doc.github, repositoryId: 22, ownerId: 11 };
    });
    const up = await runCli("up --stage iam --yes --json", { cwd, env });
    expect(up.code, up.stderr).toBe(0);
    const after = await runCli("ci check --json", { cwd, env });
    expect(
      (JSON.parse(after.stdout) as { steps: Step[] }).steps.find((s) => s.id === "role-trust"),
    ).toMatchObject({
      status: "pass",
      detail: `${ROLE} trusts repo:acme/models:ref:refs/heads/main and repo:acme-11/models-22:ref:refs/heads/main`,
    });
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

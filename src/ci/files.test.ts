import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { actionlint } from "../../test/support/actionlint.js";
import { validateWorkflow } from "../../test/support/workflows.js";
import { PINNED_ACTIONS } from "./actions.js";
import { type CiValues, fillTemplate, renderCiFiles } from "./files.js";

/** GitHub's expression syntax, spelled without tripping the template-string lint. */
const expr = (inner: string) => `$\{{ ${inner} }}`;

const VALUES: CiValues = {
  roleArn: "arn:aws:iam::123456789012:role/acme-prod-github-actions-oidc-role",
  region: "eu-west-1",
  repositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-prod-triton",
  repositoryName: "acme-prod-triton",
  modelBucket: "acme-prod-models-123456789012",
  modelSyncFlags: "--load",
  clusterName: "acme-prod",
  repository: "acme/models",
  branch: "main",
  environment: "prod",
  githubEnvironment: undefined,
  cliPackage: "git+https://github.com/acme/triton-ops.git#0123456789abcdef0123456789abcdef01234567",
  runnerLabels: undefined,
  planRoleArn: "arn:aws:iam::123456789012:role/acme-prod-github-plan-role",
  deploySubjects: ["repo:acme/models:ref:refs/heads/main", "repo:acme-1/models-2:ref:refs/heads/main"],
  planSubjects: ["repo:acme/models:pull_request", "repo:acme-1/models-2:pull_request"],
  tritonVersion: "24.08",
};
const WORKFLOWS = [".github/workflows/deploy.yml", ".github/workflows/plan.yml"];

interface Workflow {
  on: Record<string, { branches?: string[] }>;
  permissions: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<
    string,
    {
      environment?: string;
      steps: Array<{
        name?: string;
        uses?: string;
        run?: string;
        with?: Record<string, string>;
        env?: Record<string, string>;
      }>;
    }
  >;
}

async function files(values: CiValues = VALUES) {
  return new Map((await renderCiFiles(values)).map((f) => [f.path, f.content]));
}

describe("ci templates", () => {
  it("render into workflows that GitHub's workflow parser accepts", async () => {
    const out = await files();
    for (const name of [".github/workflows/deploy.yml", ".github/workflows/plan.yml"]) {
      const check = await validateWorkflow(name, out.get(name) ?? "");
      expect(check.errors, name).toEqual([]);
      expect(check.template?.jobs.length, name).toBe(1);
    }
  });

  it("the parser does reject a broken workflow, so the check above can fail", async () => {
    const deploy = (await files()).get(".github/workflows/deploy.yml") ?? "";
    const broken = deploy.replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest");
    expect(broken).not.toBe(deploy);
    const check = await validateWorkflow("deploy.yml", broken);
    expect(check.errors.join("\n")).toMatch(/runs_on|runs-on/);
  });

  it("deploy assumes the project's role through OIDC, with no stored keys", async () => {
    const text = (await files()).get(".github/workflows/deploy.yml") ?? "";
    const wf = parse(text) as Workflow;
    expect(wf.on.push?.branches).toEqual(["main"]);
    expect(wf.permissions).toEqual({ "id-token": "write", contents: "read" });
    const steps = wf.jobs.deploy?.steps ?? [];
    const creds = steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(creds?.with?.["role-to-assume"]).toBe(VALUES.roleArn);
    expect(creds?.with?.["aws-region"]).toBe("eu-west-1");
    // ECR login with the runner's AWS CLI, the password over stdin.
    expect(steps.find((s) => s.name === "Log in to ECR")?.run).toContain(
      'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin',
    );
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|secrets\./);
    expect(wf.env?.ECR_REPOSITORY_URL).toBe(VALUES.repositoryUrl);
    expect(wf.env?.EKS_CLUSTER_NAME).toBe("acme-prod");
    const build = steps.find((s) => s.run?.includes("docker push")) ?? {};
    expect(build.env?.IMAGE).toBe(`${expr("env.ECR_REPOSITORY_URL")}:${expr("github.sha")}`);
    // The runner has no state to render from: it moves Triton's image to the commit just pushed.
    const rollout = steps.find((s) => s.run?.includes("kubectl set image"));
    expect(rollout?.run).toContain(
      'deployment/triton triton="$ECR_REPOSITORY_URL:$GITHUB_SHA" --namespace triton',
    );
    expect(
      steps.some((s) => s.run?.includes("kubectl rollout status deployment/triton --namespace triton")),
    ).toBe(true);
    // The models go to the S3 repository Triton starts on, after the rollout, and Triton is made to serve
    // them (explicit mode here: --load); the image holds none.
    expect(wf.env?.MODEL_BUCKET).toBe("acme-prod-models-123456789012");
    const sync = steps.findIndex((s) => s.run?.startsWith("triton-ops models sync"));
    expect(steps[sync]?.run).toBe(
      'triton-ops models sync models --bucket "$MODEL_BUCKET" --delete --yes --load',
    );
    expect(sync).toBeGreaterThan(steps.findIndex((s) => s.run?.includes("kubectl rollout status")));
    const verify = steps.find((s) => s.run?.includes(" verify "));
    expect(verify?.run).toContain('--cluster "$EKS_CLUSTER_NAME" --region "$AWS_REGION"');
    expect(steps.at(-1)?.run).toMatch(/^triton-ops verify /);
    // triton-ops comes only from the user's spec, never from a name someone else could publish.
    expect(wf.env?.TRITON_OPS_PACKAGE).toBe(VALUES.cliPackage);
    expect(steps.find((s) => s.run?.startsWith("npm install --global"))?.run).toBe(
      'npm install --global --no-audit --no-fund "$TRITON_OPS_PACKAGE"',
    );
    expect(text).not.toMatch(/npx|triton-ops@/);
    expect(wf.jobs.deploy?.environment).toBeUndefined();
  });

  it("uses only GitHub's and AWS's own actions, each pinned to a release commit with its version", async () => {
    const out = await files();
    const pinned = new Set(Object.values(PINNED_ACTIONS).map((a) => `${a.uses}@${a.commit}`));
    for (const name of WORKFLOWS) {
      const text = out.get(name) ?? "";
      const wf = parse(text) as Workflow;
      const uses = Object.values(wf.jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
      expect(uses.length, name).toBeGreaterThan(0);
      for (const u of uses) {
        expect(u, name).toMatch(/^(actions|aws-actions)\/[a-z-]+@[0-9a-f]{40}$/);
        expect(pinned.has(u), u).toBe(true);
      }
      for (const line of text.split("\n").filter((l) => l.includes("uses:"))) {
        expect(line, name).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
      }
    }
  });

  it("actionlint finds nothing in either workflow, public or private endpoint", async () => {
    for (const values of [VALUES, { ...VALUES, runnerLabels: ["self-hosted", "linux", "x64"] }]) {
      const out = await files(values);
      for (const name of WORKFLOWS) expect(await actionlint(name, out.get(name) ?? ""), name).toEqual([]);
    }
  });

  it("actionlint does report a broken workflow, so the check above can fail", async () => {
    const deploy = (await files()).get(".github/workflows/deploy.yml") ?? "";
    const broken = deploy.replace(expr("github.run_id"), expr("github.no_such_thing"));
    expect(broken).not.toBe(deploy);
    const findings = await actionlint("deploy.yml", broken);
    expect(findings.map((f) => f.message).join("\n")).toContain("no_such_thing");
  });

  it("runs on a self-hosted runner with the configured labels when the endpoint is private", async () => {
    const labels = ["self-hosted", "linux", "x64", "vpc-acme"];
    const out = await files({ ...VALUES, runnerLabels: labels });
    for (const name of WORKFLOWS) {
      const wf = parse(out.get(name) ?? "") as { jobs: Record<string, { "runs-on": unknown }> };
      expect(Object.values(wf.jobs)[0]?.["runs-on"], name).toEqual(labels);
      expect(out.get(name), name).toContain("private only: this job runs on a self-hosted runner");
    }
    const hosted = parse((await files()).get(".github/workflows/deploy.yml") ?? "") as {
      jobs: { deploy: { "runs-on": unknown } };
    };
    expect(hosted.jobs.deploy["runs-on"]).toBe("ubuntu-latest");
  });

  it("plan runs on pull requests with only the permissions it needs", async () => {
    const wf = parse((await files()).get(".github/workflows/plan.yml") ?? "") as Workflow;
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.permissions).toEqual({ "id-token": "write", contents: "read", "pull-requests": "write" });
    const steps = wf.jobs.plan?.steps ?? [];
    expect(steps.find((s) => s.run?.includes("plan --stage all --json"))).toBeDefined();
    expect(steps.find((s) => s.run?.startsWith("gh pr comment"))).toBeDefined();
    // The deploy role refuses pull_request tokens, so plan must never be pointed at it.
    expect(JSON.stringify(wf)).not.toContain(VALUES.roleArn);
    const creds = steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(creds?.with?.["role-to-assume"]).toBe(VALUES.planRoleArn);
    // Terraform from HashiCorp's releases, checked against its SHA256SUMS: no third-party action.
    const tf = steps.find((s) => s.name === "Install Terraform")?.run ?? "";
    expect(tf).toContain("https://releases.hashicorp.com/terraform/");
    expect(tf).toContain("sha256sum -c -");
    expect(wf.env?.TERRAFORM_VERSION).toMatch(/^1\.11\.\d+$/);
  });

  it("runs the deploy job in the GitHub environment the role trusts", async () => {
    const text = (await files({ ...VALUES, githubEnvironment: "production" })).get(
      ".github/workflows/deploy.yml",
    );
    expect((await validateWorkflow("deploy.yml", text ?? "")).errors).toEqual([]);
    expect((parse(text ?? "") as Workflow).jobs.deploy?.environment).toBe("production");
  });

  it("fills every placeholder, writes the sample model, and keeps models out of the image", async () => {
    const out = await files();
    for (const [name, content] of out) expect(content, name).not.toMatch(/__[A-Z_]+__/);
    expect(out.get("Dockerfile")).toContain("ARG TRITON_VERSION=24.08");
    expect(out.get("Dockerfile")).toMatch(/^FROM \$\{TRITON_IMAGE\}:\$\{TRITON_VERSION\}-py3$/m);
    // Models live in the S3 repository the Deployment starts on; an image copy would never be served.
    expect(out.get("Dockerfile")).not.toMatch(/^\s*(COPY|ADD)\b|model-repository=\/models/m);
    expect(out.get(".dockerignore")?.trim().split("\n").at(-1)).toBe("*");
    expect(out.get("models/identity/config.pbtxt")).toContain('backend: "python"');
    expect(out.get("models/identity/1/model.py")).toContain("class TritonPythonModel");
  });

  it("refuses to leave a placeholder without a value", () => {
    expect(fillTemplate("a __REGION__ b", { REGION: "us-east-1" }, "t")).toBe("a us-east-1 b");
    expect(() => fillTemplate("x __NOPE__", {}, "t.yml")).toThrow("template t.yml: no value for __NOPE__");
  });
});

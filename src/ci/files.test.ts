import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateWorkflow } from "../../test/support/workflows.js";
import { type CiValues, fillTemplate, renderCiFiles } from "./files.js";

/** GitHub's expression syntax, spelled without tripping the template-string lint. */
const expr = (inner: string) => `$\{{ ${inner} }}`;

const VALUES: CiValues = {
  roleArn: "arn:aws:iam::123456789012:role/acme-prod-github-actions-oidc-role",
  region: "eu-west-1",
  repositoryUrl: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-prod-triton",
  repositoryName: "acme-prod-triton",
  clusterName: "acme-prod",
  repository: "acme/models",
  branch: "main",
  environment: "prod",
  githubEnvironment: undefined,
  tritonOpsVersion: "0.1.0",
  tritonVersion: "24.08",
};

interface Workflow {
  on: Record<string, { branches?: string[] }>;
  permissions: Record<string, string>;
  env?: Record<string, string>;
  jobs: Record<
    string,
    {
      environment?: string;
      steps: Array<{
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
    expect(steps.some((s) => s.uses?.startsWith("aws-actions/amazon-ecr-login@"))).toBe(true);
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|secrets\./);
    expect(wf.env?.ECR_REPOSITORY_URL).toBe(VALUES.repositoryUrl);
    expect(wf.env?.EKS_CLUSTER_NAME).toBe("acme-prod");
    const build = steps.find((s) => s.run?.includes("docker push")) ?? {};
    expect(build.env?.IMAGE).toBe(`${expr("env.ECR_REPOSITORY_URL")}:${expr("github.sha")}`);
    const render = steps.find((s) => s.run?.includes("render --out k8s/"));
    expect(render?.env?.TRITON_OPS_IMAGE_TAG).toBe(expr("github.sha"));
    expect(render?.run).toContain("kubectl apply --server-side");
    expect(steps.some((s) => s.run?.includes("kubectl rollout status"))).toBe(true);
    expect(steps.at(-1)?.run).toContain("triton-ops@0.1.0 verify");
    expect(wf.jobs.deploy?.environment).toBeUndefined();
  });

  it("pins every action to a major version at least", async () => {
    const out = await files();
    for (const name of [".github/workflows/deploy.yml", ".github/workflows/plan.yml"]) {
      const wf = parse(out.get(name) ?? "") as Workflow;
      const uses = Object.values(wf.jobs).flatMap((j) => j.steps.flatMap((s) => (s.uses ? [s.uses] : [])));
      expect(uses.length, name).toBeGreaterThan(0);
      for (const u of uses) expect(u, name).toMatch(/@v\d+$/);
    }
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
  });

  it("runs the deploy job in the GitHub environment the role trusts", async () => {
    const text = (await files({ ...VALUES, githubEnvironment: "production" })).get(
      ".github/workflows/deploy.yml",
    );
    expect((await validateWorkflow("deploy.yml", text ?? "")).errors).toEqual([]);
    expect((parse(text ?? "") as Workflow).jobs.deploy?.environment).toBe("production");
  });

  it("fills every placeholder and bakes the sample model into the image", async () => {
    const out = await files();
    for (const [name, content] of out) expect(content, name).not.toMatch(/__[A-Z_]+__/);
    expect(out.get("Dockerfile")).toContain("ARG TRITON_VERSION=24.08");
    expect(out.get("Dockerfile")).toMatch(/^FROM \$\{TRITON_IMAGE\}:\$\{TRITON_VERSION\}-py3$/m);
    expect(out.get("Dockerfile")).toContain("COPY models/ /models/");
    expect(out.get("models/identity/config.pbtxt")).toContain('backend: "python"');
    expect(out.get("models/identity/1/model.py")).toContain("class TritonPythonModel");
  });

  it("refuses to leave a placeholder without a value", () => {
    expect(fillTemplate("a __REGION__ b", { REGION: "us-east-1" }, "t")).toBe("a us-east-1 b");
    expect(() => fillTemplate("x __NOPE__", {}, "t.yml")).toThrow("template t.yml: no value for __NOPE__");
  });
});

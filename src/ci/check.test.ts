import { describe, expect, it } from "vitest";
import type { AwsContext } from "../aws/clients.js";
import { ExternalError, UserError } from "../errors.js";
import {
  type CheckStep,
  type CiCheckDeps,
  checkTarget,
  formatCiCheck,
  trustHint,
  trustTargetFor,
  withDerivedProvider,
} from "./check.js";
import { ciValuesFor } from "./init.js";
import type { CiTarget } from "./target.js";

const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const TARGET: CiTarget = {
  region: "us-east-1",
  environment: "dev",
  repository: "acme/models",
  branch: "main",
  githubEnvironment: undefined,
  roleArn: "arn:aws:iam::123456789012:role/demo-dev-github-actions-oidc-role",
  roleName: "demo-dev-github-actions-oidc-role",
  providerArn: PROVIDER,
  subject: "repo:acme/models:ref:refs/heads/main",
  subjects: ["repo:acme/models:ref:refs/heads/main"],
  planRoleArn: "arn:aws:iam::123456789012:role/demo-dev-github-plan-role",
  planSubjects: ["repo:acme/models:pull_request"],
  repositoryId: undefined,
  ownerId: undefined,
  cliPackage: "git+https://github.com/acme/triton-ops.git#0123456789abcdef0123456789abcdef01234567",
  publicAccessCidrs: [],
  repositoryUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo-dev-triton",
  repositoryName: "demo-dev-triton",
  project: { name: "demo", environment: "dev" },
  modelBucket: "demo-dev-models-123456789012",
  modelPrefix: "models/",
  modelControlMode: "poll",
  clusterName: "demo-dev",
  applied: { iam: true, ecr: true, eks: true },
};
const AWS: AwsContext = { region: "us-east-1", env: {}, sandbox: false };
const TRUST = JSON.stringify({
  Statement: [
    {
      Effect: "Allow",
      Action: "sts:AssumeRoleWithWebIdentity",
      Principal: { Federated: PROVIDER },
      Condition: {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": "repo:acme/models:ref:refs/heads/main",
        },
      },
    },
  ],
});

function denied(action: string): ExternalError {
  const cause = Object.assign(new Error("not allowed"), { name: "AccessDenied" });
  return new ExternalError(`AWS refused to ${action}: AccessDenied: not allowed`, {
    code: "aws.denied",
    cause,
  });
}

const CLUSTER = {
  status: "ACTIVE",
  version: "1.31",
  endpoint: "https://x",
  endpointPublicAccess: false,
  endpointPrivateAccess: true,
  publicAccessCidrs: [],
};
const POLICY = "arn:aws:eks::aws:cluster-access-policy/";
/** What the eks stack associates with the deploy role. */
const ACCESS = [
  {
    policyArn: `${POLICY}AmazonEKSAdminPolicy`,
    scope: "namespace" as const,
    namespaces: ["triton", "monitoring"],
  },
  { policyArn: `${POLICY}AmazonEKSViewPolicy`, scope: "cluster" as const, namespaces: [] },
];
const BOTH_FORMS_TRUST = TRUST.replace(
  '"repo:acme/models:ref:refs/heads/main"',
  '["repo:acme/models:ref:refs/heads/main","repo:acme-11/models-22:ref:refs/heads/main"]',
);

/** Fakes of the AWS calls; each test overrides what it is about. */
function deps(overrides: Partial<CiCheckDeps> = {}): CiCheckDeps {
  return {
    identity: async () => ({
      account: "123456789012",
      arn: "arn:aws:iam::123456789012:user/dev",
      userId: "AIDAX",
    }),
    roleTrust: async () => ({ arn: TARGET.roleArn ?? "", document: encodeURIComponent(TRUST) }),
    modelBucket: async () => ({ exists: true, list: true, write: true }),
    oidcProvider: async () => ({
      url: "token.actions.githubusercontent.com",
      clientIds: ["sts.amazonaws.com"],
    }),
    ecrLogin: async () => ({
      registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
      expiresAt: undefined,
    }),
    repository: async () => ({ uri: TARGET.repositoryUrl ?? "", tagMutability: "IMMUTABLE" }),
    cluster: async () => CLUSTER,
    accessPolicies: async () => [...ACCESS],
    resolvePackage: async () => ({ name: "triton-ops", version: "0.1.0" }),
    ...overrides,
  };
}

describe("trustTargetFor", () => {
  it("uses the config locally and GitHub's variables on a runner", () => {
    expect(trustTargetFor(TARGET, {}, {}).trust).toEqual({
      repo: "acme/models",
      branch: "main",
      providerArn: PROVIDER,
    });
    const runner = trustTargetFor(
      TARGET,
      {
        GITHUB_ACTIONS: "true",
        GITHUB_REPOSITORY: "acme/fork",
        GITHUB_REF: "refs/heads/feature",
        GITHUB_EVENT_NAME: "push",
      },
      {},
    );
    expect(runner.where).toBe("github-actions");
    expect(runner.trust).toMatchObject({ repo: "acme/fork", branch: "feature", event: "push" });
    expect(trustTargetFor(TARGET, {}, { repo: "x/y", branch: "dev" }).trust).toMatchObject({
      repo: "x/y",
      branch: "dev",
    });
  });
});

describe("checkTarget", () => {
  it("passes every step when the access is right, without showing the user id", async () => {
    const result = await checkTarget(AWS, TARGET, {}, { runner: "self-hosted" }, deps());
    expect(result.steps.map((s) => [s.id, s.status])).toEqual([
      ["identity", "pass"],
      ["cli-package", "pass"],
      ["oidc-provider", "pass"],
      // Without the ids only the name form can be checked: a warning, not a failure.
      ["role-trust", "warn"],
      ["ecr-login", "pass"],
      ["ecr-repository", "pass"],
      ["model-bucket", "pass"],
      ["eks-cluster", "pass"],
      ["eks-endpoint", "pass"],
      ["eks-access", "pass"],
    ]);
    expect(result.steps[3]?.detail).toContain(
      "repositories created or renamed on github.com since 2026-06-18",
    );
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain("AIDAX");
  });

  it("skips everything after a failed identity, saying why", async () => {
    const result = await checkTarget(
      AWS,
      TARGET,
      {},
      {},
      deps({
        identity: async () => {
          throw new UserError("No AWS credentials found", { code: "aws.no-credentials" });
        },
      }),
    );
    expect(result.ok).toBe(false);
    expect(result.steps[0]).toMatchObject({ id: "identity", status: "fail" });
    // The package spec is npm's business, not AWS's: it is still checked.
    expect(result.steps[1]).toMatchObject({ id: "cli-package", status: "pass" });
    expect(
      result.steps.slice(2).every((s) => s.status === "skip" && s.hint === "Fix the identity step first."),
    ).toBe(true);
  });

  it("on the runner, having assumed the deploy role proves the trust even when IAM may not be read", async () => {
    const env = {
      GITHUB_ACTIONS: "true",
      GITHUB_REPOSITORY: "acme/models",
      GITHUB_REF: "refs/heads/main",
      RUNNER_ENVIRONMENT: "self-hosted",
    };
    const result = await checkTarget(
      AWS,
      TARGET,
      env,
      {},
      deps({
        identity: async () => ({
          account: "123456789012",
          arn: "arn:aws:sts::123456789012:assumed-role/demo-dev-github-actions-oidc-role/deploy-1",
          userId: "AROA:deploy-1",
        }),
        roleTrust: async () => {
          throw denied("read role");
        },
        oidcProvider: async () => {
          throw denied("read provider");
        },
      }),
    );
    expect(result.steps.find((s) => s.id === "role-trust")).toMatchObject({ status: "pass" });
    expect(result.steps.find((s) => s.id === "oidc-provider")).toMatchObject({ status: "skip" });
    expect(result.ok).toBe(true);
  });

  it("on a runner without the state, derives the provider and passes with the deploy role's own rights", async () => {
    const noOutputs: CiTarget = {
      ...TARGET,
      roleArn: undefined,
      providerArn: undefined,
      subject: undefined,
      applied: { iam: false, ecr: false, eks: false },
    };
    const asked: string[] = [];
    const env = {
      GITHUB_ACTIONS: "true",
      GITHUB_REPOSITORY: "acme/models",
      GITHUB_REF: "refs/heads/main",
      RUNNER_ENVIRONMENT: "self-hosted",
    };
    const result = await checkTarget(
      AWS,
      noOutputs,
      env,
      {},
      deps({
        identity: async () => ({
          account: "210987654321",
          arn: "arn:aws:sts::210987654321:assumed-role/demo-dev-github-actions-oidc-role/deploy-7",
          userId: "AROA:deploy-7",
        }),
        oidcProvider: async (_aws, arn) => {
          asked.push(arn);
          throw denied("read provider");
        },
        roleTrust: async () => {
          throw denied("read role");
        },
      }),
    );
    expect(asked).toEqual(["arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"]);
    expect(result.steps.map((s) => [s.id, s.status])).toEqual([
      ["identity", "pass"],
      ["cli-package", "pass"],
      ["oidc-provider", "skip"],
      ["role-trust", "pass"],
      ["ecr-login", "pass"],
      ["ecr-repository", "pass"],
      ["model-bucket", "pass"],
      ["eks-cluster", "pass"],
      ["eks-endpoint", "pass"],
      ["eks-access", "pass"],
    ]);
    expect(result.ok).toBe(true);
    // With the iam stack applied but no provider in its outputs, nothing is guessed.
    expect(
      withDerivedProvider({ ...noOutputs, applied: { iam: true, ecr: true, eks: true } }, "arn:aws:sts::1:x")
        .providerArn,
    ).toBeUndefined();
  });

  it("locally, IAM refusing to show the role is a failure, not a skip", async () => {
    const result = await checkTarget(
      AWS,
      TARGET,
      {},
      {},
      deps({
        roleTrust: async () => {
          throw denied("read role demo-dev-github-actions-oidc-role (iam:GetRole)");
        },
      }),
    );
    expect(result.steps.find((s) => s.id === "role-trust")).toMatchObject({
      status: "fail",
      hint: "The caller needs iam:GetRole on the deploy role.",
    });
    expect(result.ok).toBe(false);
  });

  it("fails a cluster that is missing or not active, with a hint", async () => {
    const missing = await checkTarget(AWS, TARGET, {}, {}, deps({ cluster: async () => undefined }));
    expect(missing.steps.find((s) => s.id === "eks-cluster")).toMatchObject({
      status: "fail",
      hint: "Run `triton-ops up --stage eks` (after vpc, iam and ecr).",
    });
    const creating = await checkTarget(
      AWS,
      TARGET,
      {},
      {},
      deps({ cluster: async () => ({ ...CLUSTER, status: "CREATING" }) }),
    );
    expect(creating.steps.find((s) => s.id === "eks-cluster")?.detail).toBe("cluster demo-dev is CREATING");
    expect(creating.ok).toBe(false);
  });

  it("fails a model bucket that is missing, or that the caller may not list or write", async () => {
    const step = async (access: Awaited<ReturnType<CiCheckDeps["modelBucket"]>>, target = TARGET) => {
      const asked: string[] = [];
      const result = await checkTarget(
        AWS,
        target,
        {},
        {},
        deps({
          modelBucket: async (_aws, bucket, prefix) => {
            asked.push(`${bucket}/${prefix}`);
            return access;
          },
        }),
      );
      return { asked, step: result.steps.find((s) => s.id === "model-bucket"), ok: result.ok };
    };
    const gone = await step({ exists: false, list: "NoSuchBucket: x", write: "NoSuchBucket: x" });
    expect(gone.step).toMatchObject({
      status: "fail",
      detail: "bucket demo-dev-models-123456789012 does not exist",
    });
    expect(gone.step?.hint).toContain("up --stage ecr");
    expect(gone.ok).toBe(false);
    const readOnly = await step({ exists: true, list: true, write: "AccessDenied: Access Denied" });
    expect(readOnly.step).toMatchObject({
      status: "fail",
      detail: "s3://demo-dev-models-123456789012/models/: may not write (AccessDenied: Access Denied)",
    });
    expect(readOnly.step?.hint).toContain("s3:PutObject");
    // On a runner there is no state: the bucket's name is the naming module's, with the caller's account.
    const derived = await step(
      { exists: true, list: true, write: true },
      { ...TARGET, modelBucket: undefined },
    );
    expect(derived.asked).toEqual(["demo-dev-models-123456789012/models/"]);
    expect(derived.step?.status).toBe("pass");
  });

  it("explains a trust mismatch and renders each step with its hint", async () => {
    const result = await checkTarget(AWS, TARGET, {}, { branch: "dev" }, deps());
    const trust = result.steps.find((s) => s.id === "role-trust");
    expect(trust).toMatchObject({ status: "fail", problems: ["wrong-branch"] });
    const text = formatCiCheck(result, {
      style: { red: (s) => s, green: (s) => s, yellow: (s) => s, dim: (s) => s, bold: (s) => s },
    });
    expect(text).toContain("FAIL  role-trust");
    expect(text).toContain("hint: Deploy from main, or set github.branch to dev");
    expect(text).toContain("1 check(s) failed.");
  });
});

describe("checkTarget on what breaks on first contact", () => {
  const find = (r: { steps: CheckStep[] }, id: string) => r.steps.find((s) => s.id === id);

  it("fails a private-only endpoint with a GitHub-hosted runner, and says both fixes", async () => {
    const onHosted = await checkTarget(
      AWS,
      TARGET,
      {
        GITHUB_ACTIONS: "true",
        GITHUB_REPOSITORY: "acme/models",
        GITHUB_REF: "refs/heads/main",
        RUNNER_ENVIRONMENT: "github-hosted",
      },
      {},
      deps(),
    );
    expect(find(onHosted, "eks-endpoint")).toMatchObject({
      status: "fail",
      detail:
        "the API endpoint is private only, and GitHub-hosted runners cannot reach it: they run outside the VPC",
    });
    expect(find(onHosted, "eks-endpoint")).toHaveProperty(
      "hint",
      expect.stringContaining("self-hosted runner inside the VPC"),
    );
    expect(onHosted.ok).toBe(false);
    const local = await checkTarget(AWS, TARGET, {}, { runner: "github-hosted" }, deps());
    expect(find(local, "eks-endpoint")).toMatchObject({ status: "fail" });
    const allowListed = await checkTarget(
      AWS,
      TARGET,
      {},
      { runner: "github-hosted" },
      deps({
        cluster: async () => ({
          ...CLUSTER,
          endpointPublicAccess: true,
          publicAccessCidrs: ["203.0.113.0/24"],
        }),
      }),
    );
    expect(find(allowListed, "eks-endpoint")).toMatchObject({ status: "warn" });
    expect((find(allowListed, "eks-endpoint") as unknown as { detail: string }).detail).toContain(
      "GitHub-hosted runners' egress addresses must be listed",
    );
  });

  it("fails a repository that sends the immutable subject while the trust has only the name form", async () => {
    const ids = { repositoryId: "22", ownerId: "11" };
    const result = await checkTarget(AWS, TARGET, {}, { ...ids, runner: "self-hosted" }, deps());
    const trust = find(result, "role-trust") as {
      status: string;
      problems: string[];
      detail: string;
      hint: string;
    };
    expect(trust.status).toBe("fail");
    expect(trust.problems).toEqual(["immutable-subject-not-trusted"]);
    expect(trust.detail).toContain("not the immutable form repo:acme-11/models-22:ref:refs/heads/main");
    expect(trust.hint).toBe(
      "Set github.repositoryId: 22 and github.ownerId: 11 in triton-ops.yaml and run `triton-ops up --stage iam`: the role then trusts both subject forms.",
    );
    const fixed = await checkTarget(
      AWS,
      TARGET,
      {},
      { ...ids, runner: "self-hosted" },
      deps({ roleTrust: async () => ({ arn: "", document: encodeURIComponent(BOTH_FORMS_TRUST) }) }),
    );
    expect(find(fixed, "role-trust")).toMatchObject({
      status: "pass",
      detail: `${TARGET.roleName} trusts repo:acme/models:ref:refs/heads/main and repo:acme-11/models-22:ref:refs/heads/main`,
    });
    // On a runner the ids come from GitHub's own variables.
    const runner = await checkTarget(
      AWS,
      TARGET,
      {
        GITHUB_ACTIONS: "true",
        GITHUB_REPOSITORY: "acme/models",
        GITHUB_REPOSITORY_ID: "22",
        GITHUB_REPOSITORY_OWNER_ID: "11",
        GITHUB_REF: "refs/heads/main",
      },
      {},
      deps(),
    );
    expect(find(runner, "role-trust")).toMatchObject({ problems: ["immutable-subject-not-trusted"] });
  });

  it("fails a deploy role without a cluster-scoped read, which verify's node listing needs", async () => {
    const namespaceOnly = await checkTarget(
      AWS,
      TARGET,
      {},
      { runner: "self-hosted" },
      deps({ accessPolicies: async () => [ACCESS[0]!] }),
    );
    const access = find(namespaceOnly, "eks-access") as { status: string; detail: string; hint: string };
    expect(access.status).toBe("fail");
    expect(access.detail).toContain("verify lists nodes, which are cluster-scoped");
    expect(access.hint).toContain("AmazonEKSViewPolicy at cluster scope");
    const noEntry = await checkTarget(AWS, TARGET, {}, {}, deps({ accessPolicies: async () => undefined }));
    expect(find(noEntry, "eks-access")).toMatchObject({ status: "fail" });
    const absent = await checkTarget(
      AWS,
      TARGET,
      {},
      {},
      deps({ accessPolicies: async () => "unavailable" }),
    );
    expect(find(absent, "eks-access")).toMatchObject({ status: "skip" });
  });

  it("fails a cli package that is missing or does not resolve", async () => {
    const missing = await checkTarget(AWS, { ...TARGET, cliPackage: undefined }, {}, {}, deps());
    expect(find(missing, "cli-package")).toMatchObject({ status: "fail" });
    const unpublished = await checkTarget(
      AWS,
      { ...TARGET, cliPackage: "triton-ops@0.1.0" },
      {},
      {},
      deps({
        resolvePackage: async () => ({ error: "404 Not Found - GET https://registry.npmjs.org/triton-ops" }),
      }),
    );
    expect(find(unpublished, "cli-package")).toMatchObject({
      status: "fail",
      detail: "triton-ops@0.1.0 does not resolve: 404 Not Found - GET https://registry.npmjs.org/triton-ops",
    });
  });
});

describe("trustHint", () => {
  it("points at the repository, the plan role or the branch", () => {
    expect(trustHint(TARGET, { repo: "acme/other" })).toContain("set github.repository to acme/other");
    expect(trustHint(TARGET, { repo: "acme/models", event: "pull_request" })).toContain(
      "read-only plan role",
    );
    expect(trustHint(TARGET, { repo: "acme/models", branch: "main" })).toContain("restore the trust");
  });
});

const CHOICES = { cliPackage: "x@1.0.0", runnerLabels: ["self-hosted", "linux", "x64"], ids: undefined };

describe("ciValuesFor", () => {
  it("asks for github.repository and an iam apply when there is no deploy role", () => {
    const noRole = { ...TARGET, roleArn: undefined };
    expect(() => ciValuesFor(noRole, undefined, false, CHOICES)).toThrow(/no GitHub Actions deploy role/);
    let error: unknown;
    try {
      ciValuesFor({ ...noRole, applied: { iam: false, ecr: true, eks: true } }, undefined, false, CHOICES);
    } catch (e) {
      error = e;
    }
    expect((error as UserError).code).toBe("ci.no-deploy-role");
    expect((error as UserError).message).toContain("The iam stack is not applied");
    expect((error as UserError).suggestion).toContain("`triton-ops up --stage iam`");
  });

  it("refuses a repository the role does not trust, naming the one it does", () => {
    expect(() => ciValuesFor(TARGET, "acme/other", false, CHOICES)).toThrow(
      "--repo acme/other is not the repository the deploy role trusts: it trusts only repo:acme/models:ref:refs/heads/main",
    );
  });

  it("needs the ecr stack and notes an eks stack still to come", () => {
    expect(() => ciValuesFor({ ...TARGET, repositoryUrl: undefined }, undefined, false, CHOICES)).toThrow(
      /ecr stack/,
    );
    const { values, notes } = ciValuesFor(
      { ...TARGET, applied: { iam: true, ecr: true, eks: false } },
      "acme/models",
      true,
      CHOICES,
    );
    expect(values.roleArn).toBe(TARGET.roleArn);
    expect(notes.join("\n")).toMatch(/eks stack is not applied[\s\S]*local sandbox/);
  });
});

import { describe, expect, it } from "vitest";
import type { AwsContext } from "../aws/clients.js";
import { ExternalError, UserError } from "../errors.js";
import {
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
  repositoryUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/demo-dev-triton",
  repositoryName: "demo-dev-triton",
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

/** Fakes of the AWS calls; each test overrides what it is about. */
function deps(overrides: Partial<CiCheckDeps> = {}): CiCheckDeps {
  return {
    identity: async () => ({
      account: "123456789012",
      arn: "arn:aws:iam::123456789012:user/dev",
      userId: "AIDAX",
    }),
    roleTrust: async () => ({ arn: TARGET.roleArn ?? "", document: encodeURIComponent(TRUST) }),
    oidcProvider: async () => ({
      url: "token.actions.githubusercontent.com",
      clientIds: ["sts.amazonaws.com"],
    }),
    ecrLogin: async () => ({
      registry: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
      expiresAt: undefined,
    }),
    repository: async () => ({ uri: TARGET.repositoryUrl ?? "", tagMutability: "IMMUTABLE" }),
    cluster: async () => ({ status: "ACTIVE", version: "1.31", endpoint: "https://x" }),
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
    const result = await checkTarget(AWS, TARGET, {}, {}, deps());
    expect(result.steps.map((s) => [s.id, s.status])).toEqual([
      ["identity", "pass"],
      ["oidc-provider", "pass"],
      ["role-trust", "pass"],
      ["ecr-login", "pass"],
      ["ecr-repository", "pass"],
      ["eks-cluster", "pass"],
    ]);
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
    expect(
      result.steps.slice(1).every((s) => s.status === "skip" && s.hint === "Fix the identity step first."),
    ).toBe(true);
  });

  it("on the runner, having assumed the deploy role proves the trust even when IAM may not be read", async () => {
    const env = { GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "acme/models", GITHUB_REF: "refs/heads/main" };
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
    const env = { GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "acme/models", GITHUB_REF: "refs/heads/main" };
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
      ["oidc-provider", "skip"],
      ["role-trust", "pass"],
      ["ecr-login", "pass"],
      ["ecr-repository", "pass"],
      ["eks-cluster", "pass"],
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
    expect(missing.steps.at(-1)).toMatchObject({
      status: "fail",
      hint: "Run `triton-ops up --stage eks` (after vpc, iam and ecr).",
    });
    const creating = await checkTarget(
      AWS,
      TARGET,
      {},
      {},
      deps({ cluster: async () => ({ status: "CREATING", version: "1.31", endpoint: "" }) }),
    );
    expect(creating.steps.at(-1)?.detail).toBe("cluster demo-dev is CREATING");
    expect(creating.ok).toBe(false);
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

describe("trustHint", () => {
  it("points at the repository, the plan role or the branch", () => {
    expect(trustHint(TARGET, { repo: "acme/other" })).toContain("set github.repository to acme/other");
    expect(trustHint(TARGET, { repo: "acme/models", event: "pull_request" })).toContain(
      "TRITON_OPS_PLAN_ROLE_ARN",
    );
    expect(trustHint(TARGET, { repo: "acme/models", branch: "main" })).toContain("restore the trust");
  });
});

describe("ciValuesFor", () => {
  it("asks for github.repository and an iam apply when there is no deploy role", () => {
    const noRole = { ...TARGET, roleArn: undefined };
    expect(() => ciValuesFor(noRole, undefined, false)).toThrow(/no GitHub Actions deploy role/);
    let error: unknown;
    try {
      ciValuesFor({ ...noRole, applied: { iam: false, ecr: true, eks: true } }, undefined, false);
    } catch (e) {
      error = e;
    }
    expect((error as UserError).code).toBe("ci.no-deploy-role");
    expect((error as UserError).message).toContain("The iam stack is not applied");
    expect((error as UserError).suggestion).toContain("`triton-ops up --stage iam`");
  });

  it("refuses a repository the role does not trust, naming the one it does", () => {
    expect(() => ciValuesFor(TARGET, "acme/other", false)).toThrow(
      "--repo acme/other is not the repository the deploy role trusts: it trusts only repo:acme/models:ref:refs/heads/main",
    );
  });

  it("needs the ecr stack and notes an eks stack still to come", () => {
    expect(() => ciValuesFor({ ...TARGET, repositoryUrl: undefined }, undefined, false)).toThrow(/ecr stack/);
    const { values, notes } = ciValuesFor(
      { ...TARGET, applied: { iam: true, ecr: true, eks: false } },
      "acme/models",
      true,
    );
    expect(values.roleArn).toBe(TARGET.roleArn);
    expect(notes.join("\n")).toMatch(/eks stack is not applied[\s\S]*local sandbox/);
  });
});

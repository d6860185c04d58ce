import { describe, expect, it } from "vitest";
import { githubSubject, matchTrust } from "./trust.js";

const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

/** A trust policy shaped like the iam stack's (Terraform renders one-element lists as strings). */
function policy(options: {
  sub?: string | string[];
  operator?: "StringEquals" | "StringLike";
  aud?: string | null;
  federated?: string;
}): string {
  const condition: Record<string, Record<string, string | string[]>> = {};
  if (options.aud !== null) {
    condition.StringEquals = {
      "token.actions.githubusercontent.com:aud": options.aud ?? "sts.amazonaws.com",
    };
  }
  if (options.sub !== undefined) {
    const op = options.operator ?? "StringEquals";
    condition[op] = { ...condition[op], "token.actions.githubusercontent.com:sub": options.sub };
  }
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: "sts:AssumeRoleWithWebIdentity",
        Principal: { Federated: options.federated ?? PROVIDER },
        Condition: condition,
      },
    ],
  });
}

const codes = (r: ReturnType<typeof matchTrust>) => r.problems.map((p) => p.code);

describe("githubSubject", () => {
  it("follows GitHub's sub claim formats", () => {
    expect(githubSubject({ repo: "acme/models" })).toBe("repo:acme/models:ref:refs/heads/main");
    expect(githubSubject({ repo: "acme/models", branch: "release" })).toBe(
      "repo:acme/models:ref:refs/heads/release",
    );
    expect(githubSubject({ repo: "acme/models", environment: "prod", branch: "main" })).toBe(
      "repo:acme/models:environment:prod",
    );
    expect(githubSubject({ repo: "acme/models", event: "pull_request", environment: "prod" })).toBe(
      "repo:acme/models:pull_request",
    );
  });
});

describe("matchTrust", () => {
  it("accepts the exact repository and branch", () => {
    const r = matchTrust(policy({ sub: "repo:acme/models:ref:refs/heads/main" }), {
      repo: "acme/models",
      branch: "main",
      providerArn: PROVIDER,
    });
    expect(r).toEqual({
      ok: true,
      expectedSubject: "repo:acme/models:ref:refs/heads/main",
      trustedSubjects: ["repo:acme/models:ref:refs/heads/main"],
      problems: [],
      warnings: [
        "Only the name form repo:acme/models:ref:refs/heads/main was checked: repositories created or renamed on github.com since 2026-06-18 send repo:OWNER-OWNERID/NAME-REPOID:... instead; set github.repositoryId and github.ownerId (or pass --repo-id/--owner-id) to check that form too.",
      ],
    });
  });

  it("with the ids, needs the immutable subject too, and names the form that is missing", () => {
    const target = { repo: "acme/models", branch: "main", immutableRepo: "acme-11/models-22" };
    expect(githubSubject(target, "immutable")).toBe("repo:acme-11/models-22:ref:refs/heads/main");
    const nameOnly = matchTrust(policy({ sub: "repo:acme/models:ref:refs/heads/main" }), target);
    expect(nameOnly.ok).toBe(false);
    expect(nameOnly.problems.map((p) => p.code)).toEqual(["immutable-subject-not-trusted"]);
    const both = matchTrust(
      policy({ sub: ["repo:acme/models:ref:refs/heads/main", "repo:acme-11/models-22:ref:refs/heads/main"] }),
      target,
    );
    expect(both).toMatchObject({
      ok: true,
      immutableSubject: "repo:acme-11/models-22:ref:refs/heads/main",
      warnings: [],
    });
  });

  it("reads the URL-encoded document IAM's GetRole returns", () => {
    const encoded = encodeURIComponent(policy({ sub: "repo:acme/models:ref:refs/heads/main" }));
    expect(matchTrust(encoded, { repo: "acme/models" }).ok).toBe(true);
  });

  it("names the repository the role trusts when the run is from another one", () => {
    const r = matchTrust(policy({ sub: "repo:acme/models:ref:refs/heads/main" }), { repo: "acme/other" });
    expect(r.ok).toBe(false);
    expect(codes(r)).toEqual(["wrong-repo"]);
    expect(r.problems[0]?.message).toContain("trusts only acme/models, not acme/other");
  });

  it("names the trusted branch when the run is on another branch", () => {
    const r = matchTrust(policy({ sub: "repo:acme/models:ref:refs/heads/main" }), {
      repo: "acme/models",
      branch: "feature/x",
    });
    expect(codes(r)).toEqual(["wrong-branch"]);
    expect(r.problems[0]?.message).toContain("pushes to main of acme/models, not feature/x");
  });

  it("flags a wildcard subject even though it lets the run in", () => {
    const r = matchTrust(policy({ sub: "repo:*", operator: "StringLike" }), { repo: "acme/models" });
    expect(r.ok).toBe(false);
    expect(codes(r)).toEqual(["wildcard-subject"]);
    expect(r.problems[0]?.message).toContain("other repositories");
  });

  it("flags a wildcard over every ref of the right repository", () => {
    const r = matchTrust(policy({ sub: "repo:acme/models:*", operator: "StringLike" }), {
      repo: "acme/models",
    });
    expect(codes(r)).toEqual(["wildcard-subject"]);
    expect(r.problems[0]?.message).toContain("any branch, tag, pull request or environment of acme/models");
  });

  it("treats `*` under StringEquals as a literal, which matches nothing GitHub sends", () => {
    const r = matchTrust(policy({ sub: "repo:acme/models:*" }), { repo: "acme/models" });
    expect(codes(r)).toEqual(["wrong-subject"]);
  });

  it("explains that a pull_request run presents its own subject", () => {
    const r = matchTrust(policy({ sub: "repo:acme/models:ref:refs/heads/main" }), {
      repo: "acme/models",
      event: "pull_request",
    });
    expect(r.expectedSubject).toBe("repo:acme/models:pull_request");
    expect(codes(r)).toEqual(["pull-request-not-trusted"]);
  });

  it("accepts a pull_request run when the role trusts that subject", () => {
    const r = matchTrust(policy({ sub: "repo:acme/models:pull_request" }), {
      repo: "acme/models",
      event: "pull_request",
    });
    expect(r.ok).toBe(true);
  });

  it("matches an environment subject and explains a different environment", () => {
    const trusted = policy({ sub: "repo:acme/models:environment:prod" });
    expect(matchTrust(trusted, { repo: "acme/models", environment: "prod" }).ok).toBe(true);
    const staging = matchTrust(trusted, { repo: "acme/models", environment: "staging" });
    expect(codes(staging)).toEqual(["wrong-environment"]);
    const push = matchTrust(trusted, { repo: "acme/models", branch: "main" });
    expect(codes(push)).toEqual(["wrong-subject"]);
  });

  it("requires the sts.amazonaws.com audience", () => {
    const none = matchTrust(policy({ sub: "repo:acme/models:ref:refs/heads/main", aud: null }), {
      repo: "acme/models",
    });
    expect(codes(none)).toEqual(["missing-audience"]);
    const other = matchTrust(policy({ sub: "repo:acme/models:ref:refs/heads/main", aud: "github" }), {
      repo: "acme/models",
    });
    expect(other.problems[0]?.message).toContain("found github");
  });

  it("refuses a role federated with another provider", () => {
    const r = matchTrust(
      policy({
        sub: "repo:acme/models:ref:refs/heads/main",
        federated: "arn:aws:iam::123456789012:oidc-provider/gitlab.com",
      }),
      { repo: "acme/models" },
    );
    expect(codes(r)).toEqual(["wrong-provider"]);
    const otherAccount = matchTrust(policy({ sub: "repo:acme/models:ref:refs/heads/main" }), {
      repo: "acme/models",
      providerArn: "arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com",
    });
    expect(codes(otherAccount)).toEqual(["wrong-provider"]);
  });

  it("says that a trust without a sub condition admits every repository", () => {
    const r = matchTrust(policy({}), { repo: "acme/models" });
    expect(codes(r)).toEqual(["no-subject-condition"]);
  });

  it("lets one good statement win over another that does not fit", () => {
    const doc = JSON.parse(policy({ sub: "repo:acme/models:ref:refs/heads/main" })) as {
      Statement: unknown[];
    };
    const other = JSON.parse(policy({ sub: "repo:acme/other:ref:refs/heads/main" })) as {
      Statement: unknown[];
    };
    const both = { Version: "2012-10-17", Statement: [...other.Statement, ...doc.Statement] };
    const r = matchTrust(both, { repo: "acme/models" });
    expect(r.ok).toBe(true);
    expect(r.trustedSubjects).toEqual([
      "repo:acme/other:ref:refs/heads/main",
      "repo:acme/models:ref:refs/heads/main",
    ]);
  });

  it("reports a document that is not a policy, or one without web identity", () => {
    expect(codes(matchTrust("not json", { repo: "acme/models" }))).toEqual(["policy-unreadable"]);
    const ec2 = {
      Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" } }],
    };
    expect(codes(matchTrust(ec2, { repo: "acme/models" }))).toEqual(["no-web-identity-statement"]);
  });
});

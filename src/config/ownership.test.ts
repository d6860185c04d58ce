import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ownership } from "./ownership.js";

const acme = { name: "acme", environment: "dev" };
const ours = { ManagedBy: "triton-ops", Project: "acme", Environment: "dev" };
const role = (name: string, tags: Record<string, string> | undefined) => ({ type: "iam-role", name, tags });

describe("the ownership rule", () => {
  it("tags decide when the resource has project tags, whatever its name", () => {
    expect(ownership(role("triton-mlops-github-actions-oidc-role", ours), acme)).toEqual({
      verdict: "ours",
      by: "tag",
    });
    // Environment is optional on a project-tagged resource.
    expect(ownership(role("x", { ManagedBy: "triton-ops", Project: "acme" }), acme).verdict).toBe("ours");
  });

  it("tags naming another project or environment make it foreign, even with the project's prefix", () => {
    expect(ownership(role("acme-dev-x", { Project: "acme", Environment: "prod" }), acme)).toEqual({
      verdict: "foreign",
      why: "tagged Environment=prod",
    });
    expect(ownership(role("acme-dev-x", { ...ours, Project: "other" }), acme)).toEqual({
      verdict: "foreign",
      why: "tagged Project=other",
    });
    expect(ownership(role("acme-dev-x", { Environment: "staging" }), acme).verdict).toBe("foreign");
  });

  it("the prefix decides for a resource without project tags", () => {
    expect(ownership(role("acme-dev-x", {}), acme)).toEqual({ verdict: "ours", by: "name" });
    expect(ownership(role("acme-dev", { Team: "ml" }), acme).verdict).toBe("ours");
    expect(ownership(role("acme-developer", {}), acme).verdict).toBe("unrelated");
    expect(ownership(role("acme-devx", {}), acme).verdict).toBe("unrelated");
    // Project=acme without ManagedBy is not a project tag set: the name still decides.
    expect(ownership(role("x", { Project: "acme" }), acme).verdict).toBe("unrelated");
  });

  it("type-specific names: log groups, KMS aliases, EKS ENIs; OIDC providers only by tag", () => {
    expect(ownership({ type: "log-group", name: "/aws/eks/acme-dev/cluster", tags: {} }, acme).verdict).toBe(
      "ours",
    );
    expect(ownership({ type: "log-group", name: "/aws/eks/acme-devx/cluster", tags: {} }, acme).verdict).toBe(
      "unrelated",
    );
    expect(ownership({ type: "kms-alias", name: "alias/acme-dev-eks", tags: {} }, acme).verdict).toBe("ours");
    const eni = { type: "network-interface", name: "eni-1", tags: {}, description: "Amazon EKS acme-dev" };
    expect(ownership(eni, acme).verdict).toBe("ours");
    const oidc = { type: "iam-oidc-provider", name: "acme-dev-oidc", tags: {} };
    expect(ownership(oidc, acme).verdict).toBe("unrelated");
    expect(ownership({ ...oidc, tags: ours }, acme).verdict).toBe("ours");
  });

  it("what Kubernetes made belongs to its cluster", () => {
    const sg = (tags: Record<string, string>) => ({ type: "security-group", name: "k8s-elb-a1", tags });
    expect(ownership(sg({ "kubernetes.io/cluster/acme-dev": "owned" }), acme)).toEqual({
      verdict: "ours",
      by: "cluster",
      cluster: "acme-dev",
    });
    expect(ownership(sg({ "kubernetes.io/cluster/acme-dev": "shared" }), acme).verdict).toBe("unrelated");
    expect(ownership(sg({ "elbv2.k8s.aws/cluster": "other" }), acme).verdict).toBe("foreign");
  });

  it("unreadable tags are unknown, even with the project's prefix", () => {
    expect(ownership({ ...role("acme-dev-x", undefined), tagsUnreadable: "AccessDenied" }, acme)).toEqual({
      verdict: "unknown",
      why: "tags could not be read (AccessDenied)",
    });
  });

  const word = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
  const tagsArb = fc.record(
    {
      ManagedBy: fc.constantFrom("triton-ops", "cdk", "terraform"),
      Project: fc.oneof(fc.constant("acme"), word),
      Environment: fc.oneof(fc.constant("dev"), word),
      Name: word,
    },
    { requiredKeys: [] },
  );
  const nameArb = fc.oneof(
    word,
    word.map((w) => `acme-dev-${w}`),
    word.map((w) => `acme-${w}`),
  );

  it("property: anything tagged for another project or environment is never ours", () => {
    fc.assert(
      fc.property(nameArb, tagsArb, (name, tags) => {
        const verdict = ownership(role(name, tags), acme).verdict;
        const foreignTag =
          (tags.Project !== undefined && tags.Project !== "acme") ||
          (tags.Environment !== undefined && tags.Environment !== "dev");
        if (foreignTag) expect(verdict).toBe("foreign");
      }),
    );
  });

  it("property: with project tags the name never matters; without, only the prefix decides", () => {
    fc.assert(
      fc.property(nameArb, nameArb, tagsArb, (a, b, tags) => {
        const projectTagged = tags.ManagedBy === "triton-ops" && tags.Project === "acme";
        if (projectTagged) expect(ownership(role(a, tags), acme)).toEqual(ownership(role(b, tags), acme));
        const untagged = ownership(role(a, {}), acme).verdict;
        expect(untagged).toBe(a === "acme-dev" || a.startsWith("acme-dev-") ? "ours" : "unrelated");
      }),
    );
  });

  it("property: unreadable tags are always unknown", () => {
    fc.assert(
      fc.property(nameArb, (name) => {
        expect(ownership(role(name, undefined), acme).verdict).toBe("unknown");
      }),
    );
  });
});

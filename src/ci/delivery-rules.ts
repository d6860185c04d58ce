/**
 * Pure rules behind `ci check`'s eks-endpoint and eks-access steps: can the deploy job reach the API
 * endpoint from where it runs, and may the deploy role do in Kubernetes exactly what its workflow does.
 */
import type { AccessPolicy, ClusterInfo } from "../aws/delivery.js";

export type RunnerKind = "github-hosted" | "self-hosted" | "unknown";

export interface Verdict {
  status: "pass" | "warn" | "fail";
  detail: string;
  hint?: string;
}

const OPEN = new Set(["0.0.0.0/0", "::/0"]);

export function endpointVerdict(
  cluster: Pick<ClusterInfo, "endpointPublicAccess" | "endpointPrivateAccess" | "publicAccessCidrs">,
  runner: RunnerKind,
): Verdict {
  if (!cluster.endpointPublicAccess) {
    if (runner === "github-hosted") {
      return {
        status: "fail",
        detail:
          "the API endpoint is private only, and GitHub-hosted runners cannot reach it: they run outside the VPC",
        hint: "Run the deploy job on a self-hosted runner inside the VPC (its labels in ci.runnerLabels, then `triton-ops ci init --force`; see the README), or open the public endpoint to an allow-list (cluster.publicAccessCidrs).",
      };
    }
    if (runner === "self-hosted") {
      return {
        status: "pass",
        detail:
          "the API endpoint is private only; the deploy job runs on a self-hosted runner, which must be inside the VPC",
      };
    }
    return {
      status: "warn",
      detail:
        "the API endpoint is private only: the deploy job must run on a self-hosted runner inside the VPC",
      hint: "`triton-ops ci init` writes runs-on from ci.runnerLabels for a private endpoint; GitHub-hosted runners cannot reach it.",
    };
  }
  const cidrs = cluster.publicAccessCidrs;
  if (cidrs.length === 0 || cidrs.some((c) => OPEN.has(c))) {
    return {
      status: "warn",
      detail: "the API endpoint is public to every address",
      hint: "List only the addresses that need it in cluster.publicAccessCidrs and run `triton-ops up --stage eks`.",
    };
  }
  if (runner === "self-hosted") {
    return {
      status: "pass",
      detail: `the API endpoint is public to ${cidrs.join(", ")}; the self-hosted runner's egress address must be among them`,
    };
  }
  return {
    status: "warn",
    detail: `the API endpoint is public only to ${cidrs.join(", ")}: GitHub-hosted runners' egress addresses must be listed there, or kubectl and verify time out`,
    hint: "GitHub-hosted runners use many addresses that change (the `actions` list of https://api.github.com/meta); a larger runner with static IPs, or a self-hosted runner in the VPC, is reliable.",
  };
}

const POLICY = "arn:aws:eks::aws:cluster-access-policy/";
const bare = (arn: string) => arn.replace(/^arn:[^:]+:eks::aws:cluster-access-policy\//, "");
/** Access policies that let a principal administer a namespace (deploy, roll out). */
const ADMIN = new Set(["AmazonEKSClusterAdminPolicy", "AmazonEKSAdminPolicy"]);
/** Access policies whose cluster-scope association reads nodes (Kubernetes `view` plus nodes). */
const READS_NODES = new Set([
  "AmazonEKSClusterAdminPolicy",
  "AmazonEKSAdminPolicy",
  "AmazonEKSAdminViewPolicy",
  "AmazonEKSViewPolicy",
]);
export const DEPLOY_NAMESPACES = ["triton", "monitoring"] as const;

/**
 * What the deploy workflow does in Kubernetes: roll out in triton (admin there; monitoring too, for its
 * manifests) and verify, which lists nodes: cluster-scoped, so only a cluster-scope association grants it.
 */
export function accessVerdict(policies: AccessPolicy[] | undefined, principal: string): Verdict {
  const fix =
    "Run `triton-ops up --stage eks`: it gives the deploy role AmazonEKSAdminPolicy in triton and monitoring and AmazonEKSViewPolicy at cluster scope.";
  if (policies === undefined) {
    return {
      status: "fail",
      detail: `${principal} has no EKS access entry: kubectl on the runner is refused`,
      hint: fix,
    };
  }
  const missingNamespaces = DEPLOY_NAMESPACES.filter(
    (ns) =>
      !policies.some(
        (p) => ADMIN.has(bare(p.policyArn)) && (p.scope === "cluster" || p.namespaces.includes(ns)),
      ),
  );
  const readsNodes = policies.some((p) => p.scope === "cluster" && READS_NODES.has(bare(p.policyArn)));
  const problems: string[] = [];
  if (missingNamespaces.length > 0) {
    problems.push(`it may not administer ${missingNamespaces.join(" and ")}, so the rollout is refused`);
  }
  if (!readsNodes) {
    problems.push(
      "it has no cluster-scoped read: verify lists nodes, which are cluster-scoped, and a namespace-scoped policy answers 403",
    );
  }
  if (problems.length > 0)
    return { status: "fail", detail: `${principal}: ${problems.join("; ")}`, hint: fix };
  return {
    status: "pass",
    detail: `admin in ${DEPLOY_NAMESPACES.join(" and ")}, reads nodes at cluster scope (${policies.map((p) => `${bare(p.policyArn)}@${p.scope === "cluster" ? "cluster" : p.namespaces.join(",")}`).join(", ")})`,
  };
}

/** The policy ARN for a bare access-policy name, in the aws partition. */
export function accessPolicyArn(name: string): string {
  return `${POLICY}${name}`;
}

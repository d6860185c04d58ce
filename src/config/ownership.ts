/**
 * The one answer to "is this AWS resource the project's?", used by orphan-scan, every cleanup mode and
 * the teardown of a role's instance profiles. Pure: the caller has already read the name and tags.
 *
 * 1. Tags that could not be read: unknown (listed as such, never deleted).
 * 2. Tags naming another project (`Project`) or another environment (`Environment`): not ours,
 *    whatever the name says.
 * 3. Project tags (`ManagedBy=triton-ops` and `Project=<name>`, `Environment` absent or ours): ours.
 * 4. Tags saying Kubernetes/EKS created it for a cluster: ours when that cluster is `<name>-<env>`.
 * 5. Otherwise (no project tags, or a type that carries none) the name decides: `<name>-<env>` or
 *    `<name>-<env>-...` (type-specific forms for log groups, KMS aliases and EKS-made ENIs).
 */
import {
  hasProjectPrefix,
  MANAGED_BY,
  type ProjectIdentity,
  projectBase,
  projectLogGroupPrefixes,
} from "./naming.js";

export interface OwnershipSubject {
  /** The resource type (orphan-scan's names: "iam-role", "log-group", ...); only some have special name forms. */
  type: string;
  name: string;
  /** Undefined: the tags could not be read (denied, failed); `tagsUnreadable` says why. */
  tags: Readonly<Record<string, string>> | undefined;
  tagsUnreadable?: string | undefined;
  /** ENIs: EKS names its cluster in the description of the ones it makes. */
  description?: string | undefined;
}

export type Ownership =
  | { verdict: "ours"; by: "tag" | "name" }
  | { verdict: "ours"; by: "cluster"; cluster: string }
  /** Tagged for another project, environment or cluster. */
  | { verdict: "foreign"; why: string }
  /** Nothing ties it to the project. */
  | { verdict: "unrelated" }
  | { verdict: "unknown"; why: string };

/** Tags that say Kubernetes, EKS or one of its controllers created the resource for a cluster. */
export function clusterFromTags(tags: Readonly<Record<string, string>>): string | undefined {
  for (const [key, value] of Object.entries(tags)) {
    // "owned" only: "shared" marks something the cluster uses but does not own (the VPC's subnets).
    if (key.startsWith("kubernetes.io/cluster/") && value === "owned") {
      return key.slice("kubernetes.io/cluster/".length);
    }
  }
  return (
    tags["elbv2.k8s.aws/cluster"] ??
    tags["aws:eks:cluster-name"] ??
    tags["eks:cluster-name"] ??
    tags["cluster.k8s.amazonaws.com/name"] ??
    tags.KubernetesCluster
  );
}

/** Pure: the name alone ties the resource to the project (rule 5). */
export function namedForProject(
  r: Pick<OwnershipSubject, "type" | "name" | "description">,
  project: ProjectIdentity,
): boolean {
  switch (r.type) {
    case "log-group":
      return projectLogGroupPrefixes(project).some((prefix) => r.name.startsWith(prefix));
    case "kms-alias":
      return hasProjectPrefix(r.name.replace(/^alias\//, ""), project);
    case "network-interface":
      return hasProjectPrefix(r.name, project) || r.description === `Amazon EKS ${projectBase(project)}`;
    case "iam-oidc-provider":
      // Providers are named by their issuer URL; only tags can tie one to the project.
      return false;
    default:
      return hasProjectPrefix(r.name, project);
  }
}

/** Pure: the rule above. */
export function ownership(r: OwnershipSubject, project: ProjectIdentity): Ownership {
  const { tags } = r;
  if (tags === undefined) {
    return {
      verdict: "unknown",
      why: `tags could not be read${r.tagsUnreadable ? ` (${r.tagsUnreadable})` : ""}`,
    };
  }
  if (tags.Project !== undefined && tags.Project !== project.name) {
    return { verdict: "foreign", why: `tagged Project=${tags.Project}` };
  }
  if (tags.Environment !== undefined && tags.Environment !== project.environment) {
    // The same project's other environment (its prod next to our dev), or a resource someone else
    // labelled for another environment: not ours to list or delete.
    return { verdict: "foreign", why: `tagged Environment=${tags.Environment}` };
  }
  if (tags.ManagedBy === MANAGED_BY && tags.Project === project.name) return { verdict: "ours", by: "tag" };
  const cluster = clusterFromTags(tags);
  if (cluster !== undefined) {
    return cluster === projectBase(project)
      ? { verdict: "ours", by: "cluster", cluster }
      : { verdict: "foreign", why: `created for cluster ${cluster}` };
  }
  return namedForProject(r, project) ? { verdict: "ours", by: "name" } : { verdict: "unrelated" };
}

export function isOurs(o: Ownership): o is Extract<Ownership, { verdict: "ours" }> {
  return o.verdict === "ours";
}

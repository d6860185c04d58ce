/**
 * Every AWS name the product derives, in one place. Mirrors terraform/modules/naming (its `base` and
 * `names` outputs), so the CLI predicts exactly what the stacks create; src/config/naming.test.ts
 * runs the Terraform module and compares.
 */

/** The project a name or tag belongs to: resources are named `<name>-<environment>...` and tagged with both. */
export interface ProjectIdentity {
  name: string;
  environment: string;
}

/** The `ManagedBy` tag value every stack puts on its resources (provider default_tags). */
export const MANAGED_BY = "triton-ops";

/** `<name>-<environment>`: the stem of every name (the module's `base`). */
export function projectBase(project: ProjectIdentity): string {
  return `${project.name}-${project.environment}`;
}

/** The module's `names` output, keys in camelCase. */
export interface ResourceNames {
  cluster: string;
  ecrRepository: string;
  clusterRole: string;
  nodeRole: string;
  githubActionsRole: string;
  githubPlanRole: string;
  tritonIrsaRole: string;
  flowLogsRole: string;
  clusterLogGroup: string;
  flowLogGroup: string;
  kmsAlias: string;
  /** Empty when the account id is not known (as in the module). */
  modelBucket: string;
  gpuNodeGroup: string;
  /** The spot GPU group tried first (gpu.spotFirst); cluster-autoscaler's priority expander matches "-gpu-spot". */
  gpuSpotNodeGroup: string;
  systemNodeGroup: string;
  gpuLaunchTemplate: string;
  systemLaunchTemplate: string;
  clusterSecurityGroup: string;
}

/** Pure: every name the stacks give, as terraform/modules/naming derives it. */
export function resourceNames(project: ProjectIdentity, accountId = ""): ResourceNames {
  const base = projectBase(project);
  return {
    cluster: base,
    ecrRepository: `${base}-triton`,
    clusterRole: `${base}-eks-cluster`,
    nodeRole: `${base}-eks-node`,
    githubActionsRole: `${base}-github-actions-oidc-role`,
    githubPlanRole: `${base}-github-plan-role`,
    tritonIrsaRole: `${base}-triton-irsa`,
    flowLogsRole: `${base}-vpc-flow-logs`,
    clusterLogGroup: `/aws/eks/${base}/cluster`,
    flowLogGroup: `/aws/vpc/${base}/flow-logs`,
    kmsAlias: `alias/${base}-eks`,
    modelBucket: accountId === "" ? "" : `${modelBucketStem(project)}-${accountId}`,
    gpuNodeGroup: `${base}-gpu`,
    gpuSpotNodeGroup: `${base}-gpu-spot`,
    systemNodeGroup: `${base}-system`,
    gpuLaunchTemplate: `${base}-gpu`,
    systemLaunchTemplate: `${base}-system`,
    clusterSecurityGroup: `${base}-cluster`,
  };
}

/** The model repository's path in the model bucket: `triton.modelRepositoryPath` without its edge slashes. */
export function modelKeyPath(repositoryPath: string): string {
  return repositoryPath.replace(/^\/+|\/+$/g, "");
}

/** The key prefix of that path: "models" gives "models/"; "" (the bucket's root) gives "". */
export function modelKeyPrefix(repositoryPath: string): string {
  const path = modelKeyPath(repositoryPath);
  return path === "" ? "" : `${path}/`;
}

/** `<base>-models`: the model bucket's name before the account id (a placeholder where the id is unknown). */
export function modelBucketStem(project: ProjectIdentity): string {
  return `${projectBase(project)}-models`;
}

/** Pure: is the name the project's by its prefix (`<base>` itself or `<base>-...`)? */
export function hasProjectPrefix(name: string, project: ProjectIdentity): boolean {
  const base = projectBase(project);
  return name === base || name.startsWith(`${base}-`);
}

/** Pure: log groups the stacks and EKS create live under these prefixes. */
export function projectLogGroupPrefixes(project: ProjectIdentity): string[] {
  const base = projectBase(project);
  return [`/aws/eks/${base}/`, `/aws/vpc/${base}/`];
}

/** The tags every stack puts on its resources besides Name (provider default_tags). */
export function projectTags(
  project: ProjectIdentity,
): Record<"ManagedBy" | "Project" | "Environment", string> {
  return { ManagedBy: MANAGED_BY, Project: project.name, Environment: project.environment };
}

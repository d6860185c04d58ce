import { readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import type { AwsContext } from "../aws/clients.js";
import * as delivery from "../aws/delivery.js";
import { type CallerIdentity, getCallerIdentity } from "../aws/identity.js";
import { resourceNames } from "../config/naming.js";
import { awsErrorName, messageOf } from "../errors.js";
import type { Io } from "../io/io.js";
import type { Runtime } from "../runtime.js";
import { readAllOutputs } from "../terraform/state.js";
import { accessVerdict, endpointVerdict, type RunnerKind } from "./delivery-rules.js";
import { classifyPackageSpec, npmViewResolver, type PackageResolver } from "./package-spec.js";
import { type CiTarget, ciTargetFrom, immutableRepo } from "./target.js";
import { GITHUB_AUDIENCE, GITHUB_OIDC_HOST, matchTrust, type TrustTarget } from "./trust.js";

/** `warn`: works today but says what to watch; only `fail` fails the check. */
export type CheckStatus = "pass" | "warn" | "fail" | "skip";
export type CheckId =
  | "identity"
  | "cli-package"
  | "oidc-provider"
  | "role-trust"
  | "ecr-login"
  | "ecr-repository"
  | "model-bucket"
  | "eks-cluster"
  | "eks-endpoint"
  | "eks-access";

export interface CheckStep {
  id: CheckId;
  status: CheckStatus;
  detail: string;
  /** What to do about a fail or skip. */
  hint?: string;
  /** Trust problem codes, for role-trust. */
  problems?: string[];
}

export interface CiCheckResult {
  /** Where the repo and branch came from: a GitHub Actions runner or the local config. */
  where: "github-actions" | "local";
  repository: string | undefined;
  subject: string | undefined;
  identity?: Pick<CallerIdentity, "account" | "arn">;
  steps: CheckStep[];
  ok: boolean;
}

export interface CiCheckOptions {
  repo?: string;
  branch?: string;
  /** GitHub's numeric ids, to check the immutable subject form too. */
  repositoryId?: string;
  ownerId?: string;
  /** Where the deploy job runs, when known (the runner says; locally, the deploy workflow's runs-on). */
  runner?: RunnerKind;
}

/** The AWS calls `ci check` makes; the real ones by default, fakes in unit tests. */
export interface CiCheckDeps {
  identity(aws: AwsContext): Promise<CallerIdentity>;
  roleTrust: typeof delivery.getRoleTrust;
  oidcProvider: typeof delivery.getOidcProvider;
  ecrLogin: typeof delivery.checkEcrLogin;
  repository: typeof delivery.describeRepository;
  modelBucket: typeof delivery.probeModelBucket;
  cluster: typeof delivery.describeCluster;
  accessPolicies: typeof delivery.listAccessPolicies;
  resolvePackage: PackageResolver;
}

export const realCiCheckDeps: CiCheckDeps = {
  identity: getCallerIdentity,
  roleTrust: delivery.getRoleTrust,
  oidcProvider: delivery.getOidcProvider,
  ecrLogin: delivery.checkEcrLogin,
  repository: delivery.describeRepository,
  modelBucket: delivery.probeModelBucket,
  cluster: delivery.describeCluster,
  accessPolicies: delivery.listAccessPolicies,
  resolvePackage: npmViewResolver,
};

const DENIED = new Set(["AccessDenied", "AccessDeniedException"]);

/** Pure: which run the trust is checked for. On a runner, GitHub's own variables say it. */
export function trustTargetFor(
  target: CiTarget,
  env: NodeJS.ProcessEnv,
  options: CiCheckOptions,
): { where: CiCheckResult["where"]; trust: TrustTarget | undefined } {
  const onRunner = env.GITHUB_ACTIONS === "true";
  const refBranch = env.GITHUB_REF?.startsWith("refs/heads/")
    ? env.GITHUB_REF.slice("refs/heads/".length)
    : undefined;
  const repo = options.repo ?? (onRunner ? env.GITHUB_REPOSITORY : undefined) ?? target.repository;
  if (!repo) return { where: onRunner ? "github-actions" : "local", trust: undefined };
  const trust: TrustTarget = {
    repo,
    branch: options.branch ?? (onRunner ? refBranch : undefined) ?? target.branch,
  };
  if (target.githubEnvironment) trust.environment = target.githubEnvironment;
  if (onRunner && env.GITHUB_EVENT_NAME) trust.event = env.GITHUB_EVENT_NAME;
  if (target.providerArn) trust.providerArn = target.providerArn;
  // The ids: flags, else the runner's own variables (for its repository), else the config's.
  const ids =
    options.repositoryId && options.ownerId
      ? { repositoryId: options.repositoryId, ownerId: options.ownerId }
      : onRunner &&
          env.GITHUB_REPOSITORY_ID &&
          env.GITHUB_REPOSITORY_OWNER_ID &&
          repo === env.GITHUB_REPOSITORY
        ? { repositoryId: env.GITHUB_REPOSITORY_ID, ownerId: env.GITHUB_REPOSITORY_OWNER_ID }
        : target.repositoryId && target.ownerId && repo === target.repository
          ? { repositoryId: target.repositoryId, ownerId: target.ownerId }
          : undefined;
  if (ids) trust.immutableRepo = immutableRepo(repo, ids);
  return { where: onRunner ? "github-actions" : "local", trust };
}

/**
 * The deploy role may not read IAM, by design: on a runner that is a skip pointing at a local run,
 * not a failure of the pipeline. Locally, the operator's credentials are expected to read it.
 */
function deniedOnRunner(id: CheckId, error: unknown, where: CiCheckResult["where"]): CheckStep | undefined {
  if (where !== "github-actions" || !DENIED.has(awsErrorName((error as Error).cause) ?? "")) return undefined;
  return {
    id,
    status: "skip",
    detail: "the caller may not read IAM",
    hint: "Run `triton-ops ci check` locally with admin credentials to check this.",
  };
}

function failed(id: CheckId, error: unknown, hint: string): CheckStep {
  return { id, status: "fail", detail: messageOf(error), hint };
}

export async function runCiCheck(
  rt: Runtime,
  options: CiCheckOptions,
  deps: CiCheckDeps = realCiCheckDeps,
): Promise<CiCheckResult> {
  // A runner holds the deploy role, which may not read the state (and has no local state to read):
  // there the names come from the config, computed as terraform/modules/naming does.
  const onRunner = rt.ctx.env.GITHUB_ACTIONS === "true";
  const target = ciTargetFrom(rt.config, onRunner ? {} : await readAllOutputs(rt));
  const runner =
    options.runner ?? (await workflowRunner(path.join(rt.ctx.cwd, ".github/workflows/deploy.yml")));
  return checkTarget(rt.aws, target, rt.ctx.env, { ...options, ...(runner ? { runner } : {}) }, deps);
}

/** Where the deploy workflow `ci init` wrote runs its job: `runs-on` naming self-hosted, or not. */
export async function workflowRunner(file: string): Promise<RunnerKind | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  const jobs = (doc as { jobs?: Record<string, { "runs-on"?: unknown }> } | null)?.jobs ?? {};
  const runsOn = jobs.deploy?.["runs-on"];
  if (runsOn === undefined) return undefined;
  const labels = Array.isArray(runsOn) ? runsOn.map(String) : [String(runsOn)];
  return labels.includes("self-hosted") ? "self-hosted" : "github-hosted";
}

/** Each step in turn; a step that cannot run without an earlier one is a skip that says so. */
export async function checkTarget(
  aws: AwsContext,
  target: CiTarget,
  env: NodeJS.ProcessEnv,
  options: CiCheckOptions,
  deps: CiCheckDeps,
): Promise<CiCheckResult> {
  const { where, trust } = trustTargetFor(target, env, options);
  const steps: CheckStep[] = [];
  let identity: Pick<CallerIdentity, "account" | "arn"> | undefined;
  try {
    // Only account and ARN: the user id can carry an access key id, which has no place in a report.
    const { account, arn } = await deps.identity(aws);
    identity = { account, arn };
    steps.push({ id: "identity", status: "pass", detail: `account ${identity.account}, ${identity.arn}` });
  } catch (error) {
    steps.push(
      failed(
        "identity",
        error,
        where === "github-actions"
          ? "Add aws-actions/configure-aws-credentials with role-to-assume before this step, and `permissions: id-token: write`."
          : "Set AWS_PROFILE (or keys) for the project's account, or use --sandbox.",
      ),
    );
  }
  steps.push(await checkCliPackage(target, deps));
  const skip = (id: CheckId): CheckStep => ({
    id,
    status: "skip",
    detail: "no working AWS credentials",
    hint: "Fix the identity step first.",
  });
  if (!identity) {
    for (const id of [
      "oidc-provider",
      "role-trust",
      "ecr-login",
      "ecr-repository",
      "model-bucket",
      "eks-cluster",
      "eks-endpoint",
      "eks-access",
    ] as const) {
      steps.push(skip(id));
    }
    return { where, repository: trust?.repo, subject: target.subject, steps, ok: false };
  }

  steps.push(await checkProvider(aws, withDerivedProvider(target, identity.arn), where, deps));
  steps.push(await checkRoleTrust(aws, target, trust, identity, where, deps));

  try {
    const login = await deps.ecrLogin(aws);
    const until = login.expiresAt ? `, token valid until ${login.expiresAt.toISOString()}` : "";
    steps.push({ id: "ecr-login", status: "pass", detail: `registry ${login.registry}${until}` });
  } catch (error) {
    steps.push(
      failed("ecr-login", error, "The caller needs ecr:GetAuthorizationToken (the deploy role has it)."),
    );
  }

  try {
    const repo = await deps.repository(aws, target.repositoryName);
    steps.push(
      repo
        ? { id: "ecr-repository", status: "pass", detail: `${repo.uri}, tags ${repo.tagMutability}` }
        : {
            id: "ecr-repository",
            status: "fail",
            detail: `repository ${target.repositoryName} does not exist`,
            hint: "Run `triton-ops up --stage ecr`.",
          },
    );
  } catch (error) {
    steps.push(
      failed("ecr-repository", error, "The caller needs ecr:DescribeRepositories on the repository."),
    );
  }

  steps.push(await checkModelBucket(aws, target, identity.account, deps));

  let cluster: delivery.ClusterInfo | undefined;
  try {
    cluster = await deps.cluster(aws, target.clusterName);
    if (!cluster) {
      steps.push({
        id: "eks-cluster",
        status: "fail",
        detail: `cluster ${target.clusterName} does not exist`,
        hint: "Run `triton-ops up --stage eks` (after vpc, iam and ecr).",
      });
    } else if (cluster.status !== "ACTIVE") {
      steps.push({
        id: "eks-cluster",
        status: "fail",
        detail: `cluster ${target.clusterName} is ${cluster.status}`,
        hint: "Wait until it is ACTIVE, or look at it with `triton-ops status`.",
      });
    } else {
      steps.push({
        id: "eks-cluster",
        status: "pass",
        detail: `${target.clusterName} ACTIVE, Kubernetes ${cluster.version}`,
      });
    }
  } catch (error) {
    steps.push(failed("eks-cluster", error, "The caller needs eks:DescribeCluster on the cluster."));
  }

  const noCluster = (id: CheckId): CheckStep => ({
    id,
    status: "skip",
    detail: "no cluster to read",
    hint: "Fix the eks-cluster step first.",
  });
  if (!cluster) {
    steps.push(noCluster("eks-endpoint"), noCluster("eks-access"));
  } else {
    steps.push({ id: "eks-endpoint", ...endpointVerdict(cluster, runnerKind(where, env, options)) });
    steps.push(await checkAccess(aws, target, identity, where, deps));
  }

  return {
    where,
    repository: trust?.repo,
    subject: target.subject,
    identity,
    steps,
    ok: steps.every((s) => s.status !== "fail"),
  };
}

/**
 * The deploy workflow's `models sync --delete` lists the model bucket and writes and deletes under its
 * prefix. Listing and writing are tried without changing the bucket (an upload begun and aborted).
 */
async function checkModelBucket(
  aws: AwsContext,
  target: CiTarget,
  account: string,
  deps: CiCheckDeps,
): Promise<CheckStep> {
  const bucket = target.modelBucket ?? resourceNames(target.project, account).modelBucket;
  const where = `s3://${bucket}/${target.modelPrefix}`;
  let access: delivery.BucketAccess;
  try {
    access = await deps.modelBucket(aws, bucket, target.modelPrefix);
  } catch (error) {
    return failed("model-bucket", error, "The caller needs s3:ListBucket on the model bucket.");
  }
  if (!access.exists) {
    return {
      id: "model-bucket",
      status: "fail",
      detail: `bucket ${bucket} does not exist`,
      hint: "Run `triton-ops up --stage ecr`: it makes the model bucket.",
    };
  }
  const refused = [
    ...(access.list === true ? [] : [`list (${access.list})`]),
    ...(access.write === true ? [] : [`write (${access.write})`]),
  ];
  if (refused.length > 0) {
    return {
      id: "model-bucket",
      status: "fail",
      detail: `${where}: may not ${refused.join(", nor ")}`,
      hint: "The deploy role needs s3:ListBucket on the bucket and s3:PutObject, s3:AbortMultipartUpload and s3:DeleteObject on its objects: run `triton-ops up --stage iam`.",
    };
  }
  return {
    id: "model-bucket",
    status: "pass",
    detail: `${where}: list and write (an upload begun and aborted)`,
  };
}

/** Pure: where the deploy job runs. A runner says so itself (RUNNER_ENVIRONMENT); locally, what ci init wrote. */
export function runnerKind(
  where: CiCheckResult["where"],
  env: NodeJS.ProcessEnv,
  options: CiCheckOptions,
): RunnerKind {
  if (where === "github-actions") {
    if (env.RUNNER_ENVIRONMENT === "github-hosted") return "github-hosted";
    if (env.RUNNER_ENVIRONMENT === "self-hosted") return "self-hosted";
  }
  return options.runner ?? "unknown";
}

async function checkCliPackage(target: CiTarget, deps: CiCheckDeps): Promise<CheckStep> {
  const howTo =
    "Set `ci: { cliPackage: ... }` in triton-ops.yaml: a git URL at a commit, a tarball URL, or a name@version you published (triton-ops is not on npm).";
  if (!target.cliPackage) {
    return {
      id: "cli-package",
      status: "fail",
      detail: "no ci.cliPackage: the workflows cannot install triton-ops",
      hint: howTo,
    };
  }
  let spec: string;
  try {
    spec = classifyPackageSpec(target.cliPackage).spec;
  } catch (error) {
    return { id: "cli-package", status: "fail", detail: messageOf(error), hint: howTo };
  }
  const resolved = await deps.resolvePackage(spec);
  if ("error" in resolved) {
    return {
      id: "cli-package",
      status: "fail",
      detail: `${spec} does not resolve: ${resolved.error}`,
      hint: `Check it with \`npm view ${spec} version\`; for a git URL, push the commit first.`,
    };
  }
  return {
    id: "cli-package",
    status: "pass",
    detail: `${spec} resolves to ${resolved.name}@${resolved.version}`,
  };
}

/** The deploy role's Kubernetes permissions, as its access entry's policies grant them. */
async function checkAccess(
  aws: AwsContext,
  target: CiTarget,
  identity: Pick<CallerIdentity, "account" | "arn">,
  where: CiCheckResult["where"],
  deps: CiCheckDeps,
): Promise<CheckStep> {
  const partition = identity.arn.split(":")[1] ?? "aws";
  const principal = target.roleArn ?? `arn:${partition}:iam::${identity.account}:role/${target.roleName}`;
  try {
    const policies = await deps.accessPolicies(aws, target.clusterName, principal);
    if (policies === "unavailable") {
      return {
        id: "eks-access",
        status: "skip",
        detail: "EKS access entries cannot be read here (the API is absent, as on the emulator)",
        hint: "On AWS this checks the deploy role may administer triton and monitoring and list nodes.",
      };
    }
    return { id: "eks-access", ...accessVerdict(policies, principal) };
  } catch (error) {
    return (
      deniedOnRunner("eks-access", error, where) ??
      failed("eks-access", error, "The caller needs eks:ListAssociatedAccessPolicies on the cluster.")
    );
  }
}

/** Without the iam stack's outputs, the provider's ARN is still known: one per account and URL. */
export function withDerivedProvider(target: CiTarget, callerArn: string): CiTarget {
  if (target.providerArn || target.applied.iam) return target;
  const [, partition, , , account] = callerArn.split(":");
  if (!partition || !account) return target;
  return { ...target, providerArn: `arn:${partition}:iam::${account}:oidc-provider/${GITHUB_OIDC_HOST}` };
}

async function checkProvider(
  aws: AwsContext,
  target: CiTarget,
  where: CiCheckResult["where"],
  deps: CiCheckDeps,
): Promise<CheckStep> {
  const upHint = "Set github.repository in triton-ops.yaml and run `triton-ops up --stage iam`.";
  if (!target.providerArn) {
    return {
      id: "oidc-provider",
      status: "fail",
      detail: "the iam stack has no GitHub OIDC provider",
      hint: upHint,
    };
  }
  try {
    const provider = await deps.oidcProvider(aws, target.providerArn);
    if (!provider) {
      return {
        id: "oidc-provider",
        status: "fail",
        detail: `${target.providerArn} does not exist`,
        hint: upHint,
      };
    }
    const host = provider.url.replace(/^https:\/\//, "");
    if (host !== GITHUB_OIDC_HOST || !provider.clientIds.includes(GITHUB_AUDIENCE)) {
      return {
        id: "oidc-provider",
        status: "fail",
        detail: `provider url ${host}, audiences ${provider.clientIds.join(", ") || "none"}`,
        hint: `It must be ${GITHUB_OIDC_HOST} with audience ${GITHUB_AUDIENCE}; run \`triton-ops up --stage iam\`.`,
      };
    }
    return { id: "oidc-provider", status: "pass", detail: `${host}, audience ${GITHUB_AUDIENCE}` };
  } catch (error) {
    return (
      deniedOnRunner("oidc-provider", error, where) ??
      failed("oidc-provider", error, "The caller needs iam:GetOpenIDConnectProvider.")
    );
  }
}

async function checkRoleTrust(
  aws: AwsContext,
  target: CiTarget,
  trust: TrustTarget | undefined,
  identity: Pick<CallerIdentity, "account" | "arn">,
  where: CiCheckResult["where"],
  deps: CiCheckDeps,
): Promise<CheckStep> {
  if (!trust) {
    return {
      id: "role-trust",
      status: "fail",
      detail: "no GitHub repository configured",
      hint: "Set github.repository in triton-ops.yaml (or pass --repo) and run `triton-ops up --stage iam`.",
    };
  }
  // On a runner that is already the deploy role, the trust has just been proven by STS itself.
  const assumedHere = identity.arn.includes(`:assumed-role/${target.roleName}/`);
  let role: delivery.RoleTrust | undefined;
  try {
    role = await deps.roleTrust(aws, target.roleName);
  } catch (error) {
    if (assumedHere) {
      return {
        id: "role-trust",
        status: "pass",
        detail: `this run assumed ${target.roleName}, so GitHub's token matched its trust`,
      };
    }
    return (
      deniedOnRunner("role-trust", error, where) ??
      failed("role-trust", error, "The caller needs iam:GetRole on the deploy role.")
    );
  }
  if (!role) {
    return {
      id: "role-trust",
      status: "fail",
      detail: `role ${target.roleName} does not exist`,
      hint: "Set github.repository in triton-ops.yaml and run `triton-ops up --stage iam`.",
    };
  }
  const match = matchTrust(role.document, trust);
  if (match.ok) {
    const forms = match.immutableSubject ? ` and ${match.immutableSubject}` : "";
    return match.warnings.length > 0
      ? {
          id: "role-trust",
          status: "warn",
          detail: `${target.roleName} trusts ${match.expectedSubject}${forms}. ${match.warnings.join(" ")}`,
          hint: "Set github.repositoryId and github.ownerId in triton-ops.yaml and run `triton-ops up --stage iam`: the role then trusts both forms.",
        }
      : {
          id: "role-trust",
          status: "pass",
          detail: `${target.roleName} trusts ${match.expectedSubject}${forms}`,
        };
  }
  return {
    id: "role-trust",
    status: "fail",
    detail: match.problems.map((p) => p.message).join(" "),
    hint: trustHint(target, trust),
    problems: match.problems.map((p) => p.code),
  };
}

/** Pure: what to do when the trust does not fit: move the run, or move the trust through the config. */
export function trustHint(target: CiTarget, trust: TrustTarget): string {
  if (trust.repo !== target.repository) {
    return `The role trusts ${target.repository ?? "another repository"}; deploy from there, or set github.repository to ${trust.repo} and run \`triton-ops up --stage iam\`.`;
  }
  if (trust.event === "pull_request") {
    return "Pull requests cannot use the deploy role; the plan workflow assumes the iam stack's read-only plan role instead (`triton-ops ci init --force` writes it in).";
  }
  const ids = trust.immutableRepo ? /^[^/]+-(\d+)\/.+-(\d+)$/.exec(trust.immutableRepo) : null;
  if (ids && !target.subjects.some((s) => s.startsWith(`repo:${trust.immutableRepo}:`))) {
    return `Set github.repositoryId: ${ids[2]} and github.ownerId: ${ids[1]} in triton-ops.yaml and run \`triton-ops up --stage iam\`: the role then trusts both subject forms.`;
  }
  if (!trust.environment && trust.branch !== target.branch) {
    return `Deploy from ${target.branch}, or set github.branch to ${trust.branch} and run \`triton-ops up --stage iam\`.`;
  }
  return "Run `triton-ops up --stage iam` to restore the trust the project declares (exactly one repository and branch or environment).";
}

const MARK: Record<CheckStatus, { text: string; color: "green" | "red" | "yellow" }> = {
  pass: { text: "pass", color: "green" },
  warn: { text: "warn", color: "yellow" },
  fail: { text: "FAIL", color: "red" },
  skip: { text: "skip", color: "yellow" },
};

/** Pure formatter: one line per step, its hint under it. */
export function formatCiCheck(result: CiCheckResult, io: Pick<Io, "style">): string {
  const width = Math.max(...result.steps.map((s) => s.id.length));
  const lines = [
    `Checking the pipeline for ${result.repository ?? "(no repository)"} (${result.where === "github-actions" ? "on a GitHub Actions runner" : "local"})`,
  ];
  for (const step of result.steps) {
    const mark = MARK[step.status];
    lines.push(`${io.style[mark.color](mark.text)}  ${step.id.padEnd(width)}  ${step.detail}`);
    if (step.hint && step.status !== "pass")
      lines.push(`      ${" ".repeat(width)}  ${io.style.dim(`hint: ${step.hint}`)}`);
  }
  const failedCount = result.steps.filter((s) => s.status === "fail").length;
  lines.push(failedCount === 0 ? "All checks passed." : `${failedCount} check(s) failed.`);
  return lines.join("\n");
}

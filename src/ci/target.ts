import { modelKeyPrefix, type ProjectIdentity, resourceNames } from "../config/naming.js";
import type { Config } from "../config/schema.js";
import { UserError } from "../errors.js";
import { outputOf, type ProjectOutputs } from "../stages.js";

/** What the pipeline deploys to, from the applied stacks' outputs with the naming module's names as fallback. */
export interface CiTarget {
  region: string;
  environment: string;
  /** OWNER/NAME the deploy role trusts (from its `sub`), else the configured github.repository. */
  repository: string | undefined;
  branch: string;
  githubEnvironment: string | undefined;
  /** Undefined while the iam stack has no GitHub role. */
  roleArn: string | undefined;
  roleName: string;
  providerArn: string | undefined;
  /** The exact `sub` the role trusts, from the iam stack (its name form). */
  subject: string | undefined;
  /** Every `sub` the deploy role trusts: the name form, and the immutable form when the ids were set. */
  subjects: string[];
  /** The read-only plan role, once the iam stack made it. */
  planRoleArn: string | undefined;
  planSubjects: string[];
  /** GitHub's numeric ids from the config, when set. */
  repositoryId: string | undefined;
  ownerId: string | undefined;
  /** ci.cliPackage, when set. */
  cliPackage: string | undefined;
  /** The API endpoint as configured: private only unless publicAccessCidrs lists addresses. */
  publicAccessCidrs: string[];
  repositoryUrl: string | undefined;
  repositoryName: string;
  /** The project the names belong to (a name the account id completes, such as the model bucket's). */
  project: ProjectIdentity;
  /** The model bucket Triton starts on, which the deploy workflow syncs ./models to. */
  modelBucket: string | undefined;
  /** Where in it: the key prefix of triton.modelRepositoryPath. */
  modelPrefix: string;
  modelControlMode: Config["triton"]["modelControlMode"];
  clusterName: string;
  /** Which stacks have outputs (were applied). */
  applied: { iam: boolean; ecr: boolean; eks: boolean };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : [];
}

/**
 * The immutable form of a repository in a `sub` claim: `OWNER-OWNERID/NAME-REPOID`, which repositories
 * created or renamed on github.com since 2026-06-18 send instead of `OWNER/NAME`.
 */
export function immutableRepo(repo: string, ids: { repositoryId: string; ownerId: string }): string {
  const [owner, name] = repo.split("/");
  return `${owner}-${ids.ownerId}/${name}-${ids.repositoryId}`;
}

/** OWNER/NAME out of a GitHub `sub` claim such as repo:acme/models:ref:refs/heads/main. */
export function repositoryOfSubject(subject: string | undefined): string | undefined {
  return subject ? /^repo:([^:]+):/.exec(subject)?.[1] : undefined;
}

/** Pure: config + outputs into the pipeline's target. Names mirror terraform/modules/naming. */
export function ciTargetFrom(config: Readonly<Config>, outputs: ProjectOutputs): CiTarget {
  const names = resourceNames(config);
  const subject = str(outputOf(outputs, "iam", "github_subject"));
  return {
    region: config.region,
    environment: config.environment,
    repository: repositoryOfSubject(subject) ?? config.github.repository,
    branch: config.github.branch,
    githubEnvironment: config.github.environment || undefined,
    roleArn: str(outputOf(outputs, "iam", "github_actions_role_arn")),
    roleName: str(outputOf(outputs, "iam", "github_actions_role_name")) ?? names.githubActionsRole,
    providerArn: str(outputOf(outputs, "iam", "github_oidc_provider_arn")),
    subject,
    subjects: [
      ...new Set([...(subject ? [subject] : []), ...strings(outputOf(outputs, "iam", "github_subjects"))]),
    ],
    planRoleArn: str(outputOf(outputs, "iam", "github_plan_role_arn")),
    planSubjects: strings(outputOf(outputs, "iam", "github_plan_subjects")),
    repositoryId: config.github.repositoryId,
    ownerId: config.github.ownerId,
    cliPackage: config.ci.cliPackage,
    publicAccessCidrs: [...config.cluster.publicAccessCidrs],
    repositoryUrl: str(outputOf(outputs, "ecr", "repository_url")),
    repositoryName: str(outputOf(outputs, "ecr", "repository_name")) ?? names.ecrRepository,
    project: { name: config.name, environment: config.environment },
    modelBucket: str(outputOf(outputs, "ecr", "model_bucket_name")),
    modelPrefix: modelKeyPrefix(config.triton.modelRepositoryPath),
    modelControlMode: config.triton.modelControlMode,
    clusterName: str(outputOf(outputs, "eks", "cluster_name")) ?? names.cluster,
    applied: {
      iam: outputs.iam !== undefined,
      ecr: outputs.ecr !== undefined,
      eks: outputs.eks !== undefined,
    },
  };
}

const REPO_PATTERN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** --repo as GitHub spells repositories: OWNER/NAME, no wildcards. */
export function validateRepoName(repo: string | undefined): void {
  if (repo !== undefined && !REPO_PATTERN.test(repo)) {
    throw new UserError(`--repo ${JSON.stringify(repo)} is not a GitHub repository name.`, {
      code: "ci.invalid-repo",
      suggestion: "Give it as OWNER/NAME, e.g. --repo acme/models.",
    });
  }
}

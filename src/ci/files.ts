import { readFile } from "node:fs/promises";
import path from "node:path";
import { TRITON_RELEASE } from "../k8s/images.js";
import { TEMPLATES_ROOT } from "../paths.js";
import { PINNED_ACTIONS, usesLine, WORKFLOW_NODE_VERSION, WORKFLOW_TERRAFORM_VERSION } from "./actions.js";

/** Triton release the Dockerfile starts from unless the build passes another TRITON_VERSION (the image table's). */
export const DEFAULT_TRITON_VERSION = TRITON_RELEASE;

/** Template (under templates/) -> where `ci init` writes it in the repository. */
export const CI_FILES: ReadonlyArray<{ template: string; target: string }> = [
  { template: "github/deploy.yaml", target: ".github/workflows/deploy.yml" },
  { template: "github/plan.yaml", target: ".github/workflows/plan.yml" },
  { template: "docker/Dockerfile", target: "Dockerfile" },
  { template: "docker/dockerignore", target: ".dockerignore" },
  { template: "sample-model/models/identity/config.pbtxt", target: "models/identity/config.pbtxt" },
  { template: "sample-model/models/identity/1/model.py", target: "models/identity/1/model.py" },
];

export interface CiValues {
  roleArn: string;
  region: string;
  repositoryUrl: string;
  repositoryName: string;
  modelBucket: string;
  /** Flags after `models sync` in the deploy workflow: --load (explicit), --wait (poll) or none. */
  modelSyncFlags: string;
  clusterName: string;
  /** OWNER/NAME */
  repository: string;
  branch: string;
  /** triton-ops environment (dev, prod): names and config. */
  environment: string;
  /** GitHub deployment environment the role trusts, when it trusts one instead of a branch. */
  githubEnvironment: string | undefined;
  /** ci.cliPackage, already checked to resolve. */
  cliPackage: string;
  /** Labels of the self-hosted runner in the VPC, or undefined for GitHub-hosted (public endpoint). */
  runnerLabels: readonly string[] | undefined;
  /** The read-only role the plan workflow assumes. */
  planRoleArn: string;
  /** Every `sub` the deploy role trusts, and the plan role. */
  deploySubjects: readonly string[];
  planSubjects: readonly string[];
  tritonVersion: string;
}

const PLACEHOLDER = /__[A-Z][A-Z_]*[A-Z]__/g;

/** Pure: fills `__NAME__` placeholders; a placeholder left over is a bug in the template. */
export function fillTemplate(text: string, values: Readonly<Record<string, string>>, name: string): string {
  const out = text.replace(PLACEHOLDER, (token) => {
    const key = token.slice(2, -2);
    const value = values[key];
    if (value === undefined) throw new Error(`template ${name}: no value for ${token}`);
    return value;
  });
  return out;
}

export function placeholderValues(v: CiValues): Record<string, string> {
  return {
    ROLE_ARN: v.roleArn,
    REGION: v.region,
    REPOSITORY_URL: v.repositoryUrl,
    REPOSITORY_NAME: v.repositoryName,
    MODEL_BUCKET: v.modelBucket,
    MODEL_SYNC_FLAGS: v.modelSyncFlags,
    CLUSTER_NAME: v.clusterName,
    REPOSITORY: v.repository,
    BRANCH: v.branch,
    ENVIRONMENT: v.environment,
    // The role's sub names the environment, so the job must run in it to get a token that matches.
    JOB_ENVIRONMENT: v.githubEnvironment
      ? `environment: ${v.githubEnvironment}`
      : `# No GitHub environment: the deploy role trusts pushes to ${v.branch}.`,
    TRITON_VERSION: v.tritonVersion,
    CLI_PACKAGE: v.cliPackage,
    RUNS_ON: v.runnerLabels ? `[${v.runnerLabels.join(", ")}]` : "ubuntu-latest",
    RUNNER_NOTE: v.runnerLabels
      ? "The cluster's API endpoint is private only: this job runs on a self-hosted runner inside the VPC."
      : "The cluster's API endpoint is public (allow-listed): GitHub-hosted runners' egress must be listed.",
    PLAN_ROLE_ARN: v.planRoleArn,
    DEPLOY_TRUST: v.deploySubjects.join(" or "),
    PLAN_TRUST: v.planSubjects.join(" or "),
    USES_CHECKOUT: usesLine(PINNED_ACTIONS.checkout),
    USES_SETUP_NODE: usesLine(PINNED_ACTIONS.setupNode),
    USES_CONFIGURE_AWS_CREDENTIALS: usesLine(PINNED_ACTIONS.configureAwsCredentials),
    NODE_VERSION: WORKFLOW_NODE_VERSION,
    TERRAFORM_VERSION: WORKFLOW_TERRAFORM_VERSION,
  };
}

export interface CiFile {
  /** Relative to the repository root. */
  path: string;
  content: string;
}

/** Every file `ci init` writes, filled in; reads the packaged templates. */
export async function renderCiFiles(values: CiValues, root = TEMPLATES_ROOT): Promise<CiFile[]> {
  const map = placeholderValues(values);
  return Promise.all(
    CI_FILES.map(async ({ template, target }) => ({
      path: target,
      content: fillTemplate(await readFile(path.join(root, template), "utf8"), map, template),
    })),
  );
}

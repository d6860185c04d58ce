import { stat } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../fs-util.js";
import type { Io } from "../io/io.js";
import type { Runtime } from "../runtime.js";
import { readAllOutputs } from "../terraform/state.js";
import { fileExists } from "../terraform/workspace.js";
import { type CiValues, DEFAULT_TRITON_VERSION, renderCiFiles } from "./files.js";
import { fetchGithubIds, type GithubIds } from "./github.js";
import { classifyPackageSpec, npmViewResolver, type PackageResolver } from "./package-spec.js";
import { type CiTarget, ciTargetFrom, immutableRepo, validateRepoName } from "./target.js";

export interface CiInitOptions {
  /** OWNER/NAME the user means; must be the one the deploy role trusts. */
  repo?: string;
  /** Repository root to write into. */
  dir: string;
  force: boolean;
  /** Overrides ci.cliPackage. */
  cliPackage?: string;
  /** GitHub's numeric ids, when given as flags (else GITHUB_TOKEN and GitHub's API, else unknown). */
  repositoryId?: string;
  ownerId?: string;
}

export interface CiInitDeps {
  resolvePackage: PackageResolver;
  githubIds(repo: string, env: NodeJS.ProcessEnv): Promise<GithubIds>;
}

export const realCiInitDeps: CiInitDeps = { resolvePackage: npmViewResolver, githubIds: fetchGithubIds };

export interface CiInitResult {
  dir: string;
  files: Array<{ path: string; action: "created" | "overwritten" }>;
  repository: string;
  subject: string;
  roleArn: string;
  region: string;
  repositoryUrl: string;
  clusterName: string;
  /** The triton-ops build the workflows install, and what npm resolved it to. */
  cliPackage: { spec: string; name: string; version: string };
  /** Where the deploy job runs: GitHub-hosted, or a self-hosted runner with these labels. */
  runner: "github-hosted" | string[];
  planRoleArn: string;
  notes: string[];
}

export interface CiChoices {
  cliPackage: string;
  runnerLabels: readonly string[];
  /** The ids known for the repository, from flags or GitHub's API. */
  ids: GithubIds | undefined;
}

/**
 * Pure: how the deploy workflow's `models sync` makes Triton serve what it synced: explicit mode loads the
 * models and waits, poll mode waits for the next poll, none mode needs the restart the image rollout makes.
 */
export function modelSyncFlags(mode: CiTarget["modelControlMode"]): string {
  return mode === "explicit" ? "--load" : mode === "poll" ? "--wait" : "";
}

/** Pure: the values the templates need, or the one error that says what to do first. */
export function ciValuesFor(
  target: CiTarget,
  repo: string | undefined,
  sandbox: boolean,
  choices: CiChoices,
): { values: CiValues; notes: string[] } {
  if (!target.roleArn || !target.repository) {
    throw new UserError(
      target.applied.iam
        ? "The iam stack has no GitHub Actions deploy role: github.repository was not set when it was applied."
        : "The iam stack is not applied, so there is no GitHub Actions deploy role yet.",
      {
        code: "ci.no-deploy-role",
        suggestion:
          "Set `github: { repository: OWNER/NAME }` in triton-ops.yaml, then run `triton-ops up --stage iam`.",
      },
    );
  }
  if (repo !== undefined && repo !== target.repository) {
    throw new UserError(
      `--repo ${repo} is not the repository the deploy role trusts: it trusts only ${target.subject ?? target.repository}, so workflows in ${repo} could not assume it.`,
      {
        code: "ci.repo-mismatch",
        suggestion: `Use --repo ${target.repository}, or set github.repository to ${repo} and run \`triton-ops up --stage iam\`.`,
      },
    );
  }
  if (!target.repositoryUrl) {
    throw new UserError("The ecr stack is not applied, so there is no repository to push the image to.", {
      code: "ci.no-repository",
      suggestion: "Run `triton-ops up --stage ecr`.",
    });
  }
  if (!target.planRoleArn) {
    throw new UserError(
      "The iam stack has no read-only plan role yet: it was applied by an older triton-ops.",
      {
        code: "ci.no-plan-role",
        suggestion: "Run `triton-ops up --stage iam` to create it.",
      },
    );
  }
  const notes: string[] = [];
  const privateOnly = target.publicAccessCidrs.length === 0;
  if (privateOnly) {
    notes.push(
      `The cluster's API endpoint is private only, so the workflows run on a self-hosted runner labelled ${choices.runnerLabels.join(", ")} (ci.runnerLabels); it must run inside the VPC (see the README's CI section).`,
    );
  } else {
    notes.push(
      `The cluster's API endpoint is public but allow-listed (${target.publicAccessCidrs.join(", ")}): GitHub-hosted runners' egress addresses must be in cluster.publicAccessCidrs, or use a self-hosted runner.`,
    );
  }
  const repository = target.repository;
  if (choices.ids) {
    const immutable = immutableRepo(repository, choices.ids);
    if (!target.subjects.some((s) => s.startsWith(`repo:${immutable}:`))) {
      notes.push(
        `The deploy role does not trust the immutable subject repo:${immutable}:..., which ${repository} sends if it was created or renamed since 2026-06-18: set github.repositoryId: ${choices.ids.repositoryId} and github.ownerId: ${choices.ids.ownerId} in triton-ops.yaml and run \`triton-ops up --stage iam\`.`,
      );
    }
  } else if (target.subjects.length < 2) {
    notes.push(
      `The roles trust only the name form repo:${repository}:...; repositories created or renamed since 2026-06-18 send repo:OWNER-OWNERID/NAME-REPOID:... instead. Set GITHUB_TOKEN (or pass --repo-id and --owner-id) to check.`,
    );
  }
  if (!target.applied.eks) {
    notes.push(
      `The eks stack is not applied yet; the workflow deploys to cluster ${target.clusterName} once it is.`,
    );
  }
  if (sandbox) {
    notes.push(
      "These values come from the local sandbox; run `ci init --force` against the real account before pushing.",
    );
  }
  return {
    values: {
      roleArn: target.roleArn,
      region: target.region,
      repositoryUrl: target.repositoryUrl,
      repositoryName: target.repositoryName,
      modelBucket: target.modelBucket ?? "",
      modelSyncFlags: modelSyncFlags(target.modelControlMode),
      clusterName: target.clusterName,
      repository: target.repository,
      branch: target.branch,
      environment: target.environment,
      githubEnvironment: target.githubEnvironment,
      cliPackage: choices.cliPackage,
      runnerLabels: privateOnly ? choices.runnerLabels : undefined,
      planRoleArn: target.planRoleArn,
      deploySubjects: target.subjects,
      planSubjects: target.planSubjects,
      tritonVersion: DEFAULT_TRITON_VERSION,
    },
    notes,
  };
}

/** Bad input is refused before the sandbox or AWS is touched. */
export async function validateCiInitInput(
  options: Pick<CiInitOptions, "repo" | "dir" | "cliPackage" | "repositoryId" | "ownerId">,
): Promise<void> {
  validateRepoName(options.repo);
  if (options.cliPackage !== undefined) classifyPackageSpec(options.cliPackage);
  if ((options.repositoryId === undefined) !== (options.ownerId === undefined)) {
    throw new UserError("--repo-id and --owner-id go together: the immutable subject needs both.", {
      code: "ci.invalid-ids",
      suggestion: "Pass both (gh api repos/OWNER/NAME --jq '.id, .owner.id'), or neither.",
    });
  }
  for (const [flag, value] of [
    ["--repo-id", options.repositoryId],
    ["--owner-id", options.ownerId],
  ] as const) {
    if (value !== undefined && !/^[1-9][0-9]{0,19}$/.test(value)) {
      throw new UserError(`${flag} ${JSON.stringify(value)} is not GitHub's numeric id.`, {
        code: "ci.invalid-ids",
        suggestion: "Use the number from gh api repos/OWNER/NAME --jq '.id, .owner.id'.",
      });
    }
  }
  const dirInfo = await stat(options.dir).catch(() => undefined);
  if (dirInfo && !dirInfo.isDirectory()) {
    throw new UserError(`--dir ${options.dir} is a file, not a directory.`, {
      code: "ci.invalid-dir",
      suggestion: "Point --dir at the repository's root directory.",
    });
  }
}

/**
 * The spec the workflows will install, refused unless it is well-formed and npm resolves it: a workflow
 * must never name a package that does not exist (someone could publish it later).
 */
export async function resolveCliPackage(
  spec: string | undefined,
  resolve: PackageResolver,
): Promise<{ spec: string; name: string; version: string; warning?: string }> {
  if (spec === undefined) {
    throw new UserError("No ci.cliPackage: the workflows need to know which triton-ops build to install.", {
      code: "ci.no-cli-package",
      suggestion:
        "Set `ci: { cliPackage: ... }` in triton-ops.yaml (or pass --cli-package): a git URL at a commit (git+https://github.com/OWNER/triton-ops.git#COMMIT), a tarball URL, or a name@version you published. The name triton-ops is not on the npm registry.",
    });
  }
  const classified = classifyPackageSpec(spec);
  const resolved = await resolve(classified.spec);
  if ("error" in resolved) {
    throw new UserError(`ci.cliPackage ${classified.spec} does not resolve: ${resolved.error}`, {
      code: "ci.cli-package-unresolved",
      suggestion: `Check it with \`npm view ${classified.spec} version\`; for a git URL, push the commit first.`,
    });
  }
  return {
    spec: classified.spec,
    name: resolved.name,
    version: resolved.version,
    ...(classified.warning ? { warning: classified.warning } : {}),
  };
}

export async function runCiInit(
  rt: Runtime,
  options: CiInitOptions,
  deps: CiInitDeps = realCiInitDeps,
): Promise<CiInitResult> {
  const target = ciTargetFrom(rt.config, await readAllOutputs(rt));
  // Cheap refusals first (no role, wrong repository) before npm or GitHub is asked anything.
  ciValuesFor(target, options.repo, rt.config.sandbox, {
    cliPackage: "-",
    runnerLabels: rt.config.ci.runnerLabels,
    ids: undefined,
  });
  const cli = await resolveCliPackage(options.cliPackage ?? rt.config.ci.cliPackage, deps.resolvePackage);
  const ids = await knownIds(target, options, rt.ctx.env, deps);
  const { values, notes } = ciValuesFor(target, options.repo, rt.config.sandbox, {
    cliPackage: cli.spec,
    runnerLabels: rt.config.ci.runnerLabels,
    ids,
  });
  if (cli.warning) notes.push(`ci.cliPackage: ${cli.warning}`);
  const files = await renderCiFiles(values);
  const dir = path.resolve(options.dir);

  // Every file is checked before any is written, so a refusal leaves the repository untouched.
  const present = (
    await Promise.all(
      files.map(async (f) => ((await fileExists(path.join(dir, f.path))) ? f.path : undefined)),
    )
  ).filter((p): p is string => p !== undefined);
  if (present.length > 0 && !options.force) {
    throw new UserError(
      `Not overwriting ${present.length} existing file(s) in ${dir}: ${present.join(", ")}.`,
      {
        code: "ci.files-exist",
        suggestion: "Move them aside, or run again with --force to replace them.",
      },
    );
  }
  for (const file of files) await writeFileAtomic(path.join(dir, file.path), file.content);

  if (!(await fileExists(path.join(dir, "triton-ops.yaml")))) {
    notes.push("Commit triton-ops.yaml to the repository too: the workflows run `triton-ops` with it.");
  }
  if (rt.config.state.backend !== "s3") {
    notes.push(
      "The plan workflow needs team mode (state.backend: s3): with local state the runner has nothing to plan against.",
    );
  }
  return {
    dir,
    files: files.map((f) => ({ path: f.path, action: present.includes(f.path) ? "overwritten" : "created" })),
    repository: values.repository,
    subject: target.subject ?? "",
    roleArn: values.roleArn,
    region: values.region,
    repositoryUrl: values.repositoryUrl,
    clusterName: values.clusterName,
    cliPackage: { spec: cli.spec, name: cli.name, version: cli.version },
    runner: values.runnerLabels ? [...values.runnerLabels] : "github-hosted",
    planRoleArn: values.planRoleArn,
    notes,
  };
}

/** The repository's ids: from flags, else from the config, else GitHub's API when GITHUB_TOKEN is set. */
async function knownIds(
  target: CiTarget,
  options: CiInitOptions,
  env: NodeJS.ProcessEnv,
  deps: CiInitDeps,
): Promise<GithubIds | undefined> {
  if (options.repositoryId !== undefined && options.ownerId !== undefined) {
    return { repositoryId: options.repositoryId, ownerId: options.ownerId };
  }
  if (target.repositoryId && target.ownerId) {
    return { repositoryId: target.repositoryId, ownerId: target.ownerId };
  }
  if (env.GITHUB_TOKEN && target.repository) return deps.githubIds(target.repository, env);
  return undefined;
}

/** Pure formatter of what `ci init` wrote. */
export function formatCiInit(result: CiInitResult, io: Pick<Io, "style">): string {
  const lines = [
    `Wrote ${result.files.length} files to ${result.dir} for ${result.repository}:`,
    ...result.files.map(
      (f) =>
        `  ${f.action === "created" ? io.style.green("created") : io.style.yellow("overwritten")}  ${f.path}`,
    ),
    "",
    `Deploy role   ${result.roleArn}`,
    `  trusts      ${result.subject}`,
    `Plan role     ${result.planRoleArn}`,
    `triton-ops    ${result.cliPackage.spec} (${result.cliPackage.name}@${result.cliPackage.version})`,
    `Runner        ${result.runner === "github-hosted" ? "GitHub-hosted (ubuntu-latest)" : `self-hosted: ${result.runner.join(", ")}`}`,
    `Region        ${result.region}`,
    `Repository    ${result.repositoryUrl}`,
    `Cluster       ${result.clusterName}`,
  ];
  if (result.notes.length > 0) lines.push("", ...result.notes.map((n) => `${io.style.yellow("note")} ${n}`));
  lines.push("", "Next: `triton-ops ci check`, then commit and push to deploy.");
  return lines.join("\n");
}

import { stat } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../fs-util.js";
import type { Io } from "../io/io.js";
import type { Runtime } from "../runtime.js";
import { readAllOutputs } from "../terraform/state.js";
import { fileExists } from "../terraform/workspace.js";
import { VERSION } from "../version.js";
import { type CiValues, DEFAULT_TRITON_VERSION, renderCiFiles } from "./files.js";
import { type CiTarget, ciTargetFrom, validateRepoName } from "./target.js";

export interface CiInitOptions {
  /** OWNER/NAME the user means; must be the one the deploy role trusts. */
  repo?: string;
  /** Repository root to write into. */
  dir: string;
  force: boolean;
}

export interface CiInitResult {
  dir: string;
  files: Array<{ path: string; action: "created" | "overwritten" }>;
  repository: string;
  subject: string;
  roleArn: string;
  region: string;
  repositoryUrl: string;
  clusterName: string;
  notes: string[];
}

/** Pure: the values the templates need, or the one error that says what to do first. */
export function ciValuesFor(
  target: CiTarget,
  repo: string | undefined,
  sandbox: boolean,
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
  const notes: string[] = [];
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
      clusterName: target.clusterName,
      repository: target.repository,
      branch: target.branch,
      environment: target.environment,
      githubEnvironment: target.githubEnvironment,
      tritonOpsVersion: VERSION,
      tritonVersion: DEFAULT_TRITON_VERSION,
    },
    notes,
  };
}

/** Bad input is refused before the sandbox or AWS is touched. */
export async function validateCiInitInput(options: Pick<CiInitOptions, "repo" | "dir">): Promise<void> {
  validateRepoName(options.repo);
  const dirInfo = await stat(options.dir).catch(() => undefined);
  if (dirInfo && !dirInfo.isDirectory()) {
    throw new UserError(`--dir ${options.dir} is a file, not a directory.`, {
      code: "ci.invalid-dir",
      suggestion: "Point --dir at the repository's root directory.",
    });
  }
}

export async function runCiInit(rt: Runtime, options: CiInitOptions): Promise<CiInitResult> {
  const target = ciTargetFrom(rt.config, await readAllOutputs(rt));
  const { values, notes } = ciValuesFor(target, options.repo, rt.config.sandbox);
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
  notes.push(
    "The plan workflow needs a read-only role trusting repo:" +
      `${values.repository}:pull_request, set as the repository variable TRITON_OPS_PLAN_ROLE_ARN.`,
  );
  return {
    dir,
    files: files.map((f) => ({ path: f.path, action: present.includes(f.path) ? "overwritten" : "created" })),
    repository: values.repository,
    subject: target.subject ?? "",
    roleArn: values.roleArn,
    region: values.region,
    repositoryUrl: values.repositoryUrl,
    clusterName: values.clusterName,
    notes,
  };
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
    `Region        ${result.region}`,
    `Repository    ${result.repositoryUrl}`,
    `Cluster       ${result.clusterName}`,
  ];
  if (result.notes.length > 0) lines.push("", ...result.notes.map((n) => `${io.style.yellow("note")} ${n}`));
  lines.push("", "Next: `triton-ops ci check`, then commit and push to deploy.");
  return lines.join("\n");
}

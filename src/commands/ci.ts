import path from "node:path";
import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions, setExitCode } from "./shared.js";

export function ciCommand(ctx: CliContext): Command {
  const ci = new Command("ci").description(
    "delivery pipeline: GitHub Actions workflows that deploy through OIDC, and a check of their access",
  );
  ci.command("init")
    .description(
      "write the deploy and plan workflows, a Dockerfile and a sample model, filled from the stacks",
    )
    .option(
      "--repo <owner/name>",
      "GitHub repository the workflows are for (must be the one the role trusts)",
    )
    .option("--dir <path>", "repository root to write into (default: current directory)")
    .option(
      "--cli-package <spec>",
      "triton-ops build the workflows install (default: ci.cliPackage): git URL at a commit, tarball URL, or name@version",
    )
    .option(
      "--repo-id <id>",
      "GitHub's numeric id of the repository (default: from GitHub's API with GITHUB_TOKEN)",
    )
    .option("--owner-id <id>", "GitHub's numeric id of the repository's owner")
    .option("--force", "overwrite files that already exist")
    .option("--json", "print what was written as JSON")
    .action(
      async (
        flags: {
          repo?: string;
          dir?: string;
          cliPackage?: string;
          repoId?: string;
          ownerId?: string;
          force?: boolean;
          json?: boolean;
        },
        command: Command,
      ) => {
        const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
        const [{ createRuntime }, { runCiInit, formatCiInit, validateCiInitInput }] = await Promise.all([
          import("../runtime.js"),
          import("../ci/init.js"),
        ]);
        const options = {
          ...(flags.repo !== undefined ? { repo: flags.repo } : {}),
          ...(flags.cliPackage !== undefined ? { cliPackage: flags.cliPackage } : {}),
          ...(flags.repoId !== undefined ? { repositoryId: flags.repoId } : {}),
          ...(flags.ownerId !== undefined ? { ownerId: flags.ownerId } : {}),
          dir: path.resolve(ctx.cwd, flags.dir ?? "."),
          force: flags.force === true,
        };
        await validateCiInitInput(options);
        const rt = await createRuntime(ctx, command, io);
        const result = await runCiInit(rt, options);
        io.result(result, () => formatCiInit(result, io));
      },
    );
  ci.command("check")
    .description(
      "check the pipeline's access: caller identity, OIDC provider, deploy role trust, ECR login, the cluster",
    )
    .option(
      "--repo <owner/name>",
      "check the trust for this repository (default: the runner's, else the config's)",
    )
    .option(
      "--branch <name>",
      "check the trust for pushes to this branch (default: the runner's, else the config's)",
    )
    .option("--repo-id <id>", "GitHub's numeric repository id, to check the immutable subject form too")
    .option("--owner-id <id>", "GitHub's numeric id of the repository's owner")
    .option("--json", "print the steps as JSON")
    .action(
      async (
        flags: { repo?: string; branch?: string; repoId?: string; ownerId?: string; json?: boolean },
        command: Command,
      ) => {
        const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
        const [{ createRuntime }, { runCiCheck, formatCiCheck }, { validateRepoName }] = await Promise.all([
          import("../runtime.js"),
          import("../ci/check.js"),
          import("../ci/target.js"),
        ]);
        validateRepoName(flags.repo);
        const rt = await createRuntime(ctx, command, io);
        const result = await runCiCheck(rt, {
          ...(flags.repo !== undefined ? { repo: flags.repo } : {}),
          ...(flags.branch !== undefined ? { branch: flags.branch } : {}),
          ...(flags.repoId !== undefined ? { repositoryId: flags.repoId } : {}),
          ...(flags.ownerId !== undefined ? { ownerId: flags.ownerId } : {}),
        });
        io.result(result, () => formatCiCheck(result, io));
        if (!result.ok) setExitCode(command, 1);
      },
    );
  return ci;
}

import path from "node:path";
import { Command, Option } from "commander";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import type { InitAnswers } from "../init/init.js";
import { createIo, globalOptions } from "./shared.js";

interface InitFlags {
  name?: string;
  kubernetesVersion?: string;
  gpuInstanceTypes?: string;
  gpuMin?: string;
  gpuDesired?: string;
  gpuMax?: string;
  spot?: boolean;
  githubRepo?: string;
  stateBackend?: "local" | "s3";
  stateBucket?: string;
  yes?: boolean;
  force?: boolean;
  providerMirror?: string;
}

function intFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]+$/.test(value))
    throw new UserError(`--${name} must be a whole number (got "${value}").`, { code: "usage.number" });
  return Number(value);
}

export function initCommand(ctx: CliContext): Command {
  return new Command("init")
    .description("create triton-ops.yaml: asks in a terminal, or takes flags with --yes")
    .option("--name <prefix>", "name prefix for every resource")
    .option(
      "--kubernetes-version <version>",
      "EKS Kubernetes minor version (default: EKS's default, else the newest in standard support)",
    )
    .option("--gpu-instance-types <list>", "GPU instance types, comma-separated")
    .option("--gpu-min <n>", "GPU nodes minimum")
    .option("--gpu-desired <n>", "GPU nodes desired")
    .option("--gpu-max <n>", "GPU nodes maximum")
    .option("--spot", "GPU nodes on spot capacity")
    .option("--github-repo <owner/name>", "GitHub repository allowed to deploy through OIDC")
    .addOption(new Option("--state-backend <type>", "Terraform state backend").choices(["local", "s3"]))
    .option("--state-bucket <bucket>", "S3 bucket for state (with --state-backend s3)")
    .option(
      "--provider-mirror <dir>",
      "offline Terraform provider mirror (a `terraform providers mirror` directory) to record in the config",
    )
    .option("-y, --yes", "ask nothing: take the flags and defaults")
    .option("--force", "overwrite an existing triton-ops.yaml")
    .action(async (flags: InitFlags, command: Command) => {
      const g = globalOptions(command);
      const io = createIo(ctx, g);
      const { DEFAULT_ANSWERS, askAnswers, configFromAnswers, writeConfigFile } = await import(
        "../init/init.js"
      );
      const { chooseKubernetesVersion, judgeChosenVersion } = await import("../versions/init-version.js");
      const region = g.region ?? DEFAULT_ANSWERS.region;
      const versions = await chooseKubernetesVersion(ctx.env, region, g.sandbox === true);
      io.debug(versions.note);
      // Recorded, so every later shell finds the mirror without TRITON_OPS_PROVIDER_MIRROR. Only when asked:
      // the path is this machine's, and a config shared through git should not carry it unasked.
      let providerMirror: string | undefined;
      if (flags.providerMirror) {
        providerMirror = path.resolve(ctx.cwd, flags.providerMirror);
        const { mirrorCliConfig } = await import("../terraform/runner.js");
        mirrorCliConfig(providerMirror, ctx.cwd);
      }
      let answers: InitAnswers = {
        ...DEFAULT_ANSWERS,
        kubernetesVersion: versions.defaultVersion,
        ...(flags.name ? { name: flags.name } : {}),
        ...(g.env ? { environment: g.env } : {}),
        ...(g.region ? { region: g.region } : {}),
        ...(flags.kubernetesVersion ? { kubernetesVersion: flags.kubernetesVersion } : {}),
        ...(flags.gpuInstanceTypes
          ? { gpuInstanceTypes: flags.gpuInstanceTypes.split(",").map((t) => t.trim()) }
          : {}),
        gpuMin: intFlag("gpu-min", flags.gpuMin, DEFAULT_ANSWERS.gpuMin),
        gpuDesired: intFlag("gpu-desired", flags.gpuDesired, DEFAULT_ANSWERS.gpuDesired),
        gpuMax: intFlag("gpu-max", flags.gpuMax, DEFAULT_ANSWERS.gpuMax),
        spot: flags.spot === true,
        githubRepository: flags.githubRepo,
        stateBackend: flags.stateBackend ?? "local",
        stateBucket: flags.stateBucket,
        sandbox: g.sandbox === true,
        providerMirror,
      };
      if (flags.stateBucket && answers.stateBackend !== "s3") {
        throw new UserError("--state-bucket needs --state-backend s3.", { code: "usage.conflict" });
      }
      if (!flags.yes) {
        if (!io.interactive) {
          throw new UserError("init asks questions and there is no terminal to ask them on.", {
            code: "prompt.no-tty",
            suggestion:
              "Pass the settings as flags with --yes, e.g. `triton-ops init --yes --name acme --region eu-west-1`.",
          });
        }
        answers = await askAnswers(io, answers);
      }
      judgeChosenVersion(io, versions.catalog, answers.kubernetesVersion, ctx.env);
      const result = await writeConfigFile(
        ctx.cwd,
        g.config,
        configFromAnswers(answers),
        flags.force === true,
      );
      io.result(result, () =>
        [
          `Wrote ${result.file}.`,
          answers.sandbox
            ? "Next: `triton-ops up --stage all` runs every stage on the local AWS sandbox."
            : "Next: `triton-ops doctor --preflight`, then `triton-ops plan`, then `triton-ops up`.",
        ].join("\n"),
      );
    });
}

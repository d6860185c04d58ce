import { describeRepository, getEcrCredentials, imageTagDigest } from "../aws/delivery.js";
import type { DockerCli } from "../docker/docker.js";
import { UserError } from "../errors.js";
import type { Io } from "../io/io.js";
import { registerSecret } from "../io/redact.js";
import type { Runtime } from "../runtime.js";
import { readAllOutputs } from "../terraform/state.js";
import { ciTargetFrom } from "./target.js";

/** Docker's tag grammar (the same rule as triton.imageTag in the config). */
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface ImagePushOptions {
  tag: string;
  /** Local image to push; defaults to <repository name>:<tag>. */
  image?: string;
}

export interface ImagePushResult {
  image: string;
  pushed: string;
  repositoryUrl: string;
  tag: string;
  digest: string;
}

export function validateTag(tag: string): void {
  if (!IMAGE_TAG_PATTERN.test(tag)) {
    throw new UserError(`--tag ${JSON.stringify(tag)} is not a valid image tag.`, {
      code: "image.invalid-tag",
      suggestion: "Use letters, digits, _ . and -, up to 128 characters, e.g. the commit SHA.",
    });
  }
}

export interface ImagePushDeps {
  docker: DockerCli;
}

export async function runImagePush(
  rt: Runtime,
  options: ImagePushOptions,
  deps: ImagePushDeps,
): Promise<ImagePushResult> {
  validateTag(options.tag);
  const target = ciTargetFrom(rt.config, await readAllOutputs(rt));
  const repo = await describeRepository(rt.aws, target.repositoryName);
  if (!repo) {
    throw new UserError(`ECR repository ${target.repositoryName} does not exist.`, {
      code: "image.no-repository",
      suggestion: "Run `triton-ops up --stage ecr`.",
    });
  }
  // Checked before docker is asked anything: an immutable tag can never be pushed twice.
  const existing = await imageTagDigest(rt.aws, target.repositoryName, options.tag);
  if (existing !== undefined && repo.tagMutability === "IMMUTABLE") {
    throw new UserError(
      `Tag ${options.tag} already exists in ${target.repositoryName}${existing ? ` (${existing})` : ""}, whose tags are IMMUTABLE.`,
      {
        code: "image.tag-exists",
        suggestion: "Push under a new tag, e.g. the commit SHA: --tag $(git rev-parse HEAD).",
      },
    );
  }

  if (existing !== undefined) {
    rt.io.warn(`Tag ${options.tag} already exists in ${target.repositoryName} (MUTABLE): the push moves it.`);
  }

  await deps.docker.assertEngine();
  const image = options.image ?? `${target.repositoryName}:${options.tag}`;
  if (!(await deps.docker.imageExists(image))) {
    throw new UserError(`No local image ${image}.`, {
      code: "image.not-found",
      suggestion: "Build it first (docker build -t NAME:TAG .) and pass it with --image NAME:TAG.",
    });
  }

  const credentials = await getEcrCredentials(rt.aws);
  registerSecret(credentials.password);
  rt.io.info(`Logging in to ${credentials.registry} as ${credentials.username}.`);
  await deps.docker.login(credentials.registry, credentials.username, credentials.password);

  const pushed = `${repo.uri}:${options.tag}`;
  await deps.docker.tag(image, pushed);
  rt.io.info(`Pushing ${pushed}.`);
  const digest = await deps.docker.push(pushed);
  return { image, pushed, repositoryUrl: repo.uri, tag: options.tag, digest };
}

export function formatImagePush(result: ImagePushResult, io: Pick<Io, "style">): string {
  return `${io.style.green("Pushed")} ${result.image} as ${result.pushed}${result.digest ? ` (${result.digest})` : ""}`;
}

import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AwsContext } from "../aws/clients.js";
import {
  bundledCatalog,
  isoDay,
  judgeVersion,
  staleNotice,
  type VersionCatalog,
  type VersionVerdict,
} from "../config/kubernetes-versions.js";
import { UserError } from "../errors.js";
import type { Io } from "../io/io.js";

/** The facts this use case needs from AWS (implemented by src/aws/eks-versions.ts). */
export interface VersionsAws {
  describeClusterVersions(
    aws: AwsContext,
  ): Promise<{ ok: true; versions: VersionCatalog["versions"] } | { ok: false; reason: string }>;
}

async function defaultAws(): Promise<VersionsAws> {
  return import("../aws/eks-versions.js");
}

/**
 * Whether asking AWS could work at all: without any credential source the SDK would only probe the
 * instance metadata service, which on a laptop means waiting for a timeout to learn nothing.
 */
export function mayHaveAwsAccess(env: NodeJS.ProcessEnv): boolean {
  if (env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE) return true;
  if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) return true;
  const home = env.HOME ?? os.homedir();
  const files = [env.AWS_CONFIG_FILE, env.AWS_SHARED_CREDENTIALS_FILE].filter((f): f is string => !!f);
  files.push(path.join(home, ".aws", "config"), path.join(home, ".aws", "credentials"));
  return files.some((f) => existsSync(f));
}

/** EKS's own list when AWS answers, else the bundled table with its date and why. */
export async function loadVersionCatalog(
  aws: AwsContext | undefined,
  deps: { aws?: VersionsAws } = {},
): Promise<VersionCatalog> {
  if (!aws || (!aws.sandbox && !mayHaveAwsAccess(aws.env))) {
    return { ...bundledCatalog(), fallbackReason: "no AWS access configured" };
  }
  const answer = await (deps.aws ?? (await defaultAws())).describeClusterVersions(aws);
  if (!answer.ok) return { ...bundledCatalog(), fallbackReason: answer.reason };
  return { source: "aws", asOf: isoDay(new Date()), versions: answer.versions };
}

export function today(env: NodeJS.ProcessEnv): string {
  // TRITON_OPS_TODAY lets a test or a what-if run judge versions on another day.
  const forced = env.TRITON_OPS_TODAY;
  return forced && /^\d{4}-\d{2}-\d{2}$/.test(forced) ? forced : isoDay(new Date());
}

/**
 * The gate `plan` and `up` pass before anything is written: a version past extended support is
 * refused (exit 2), one in extended support is warned about with its surcharge.
 */
export async function gateKubernetesVersion(
  rt: { aws: AwsContext; io: Io; config: { kubernetesVersion: string }; env: NodeJS.ProcessEnv },
  deps: { aws?: VersionsAws } = {},
): Promise<VersionVerdict> {
  const catalog = await loadVersionCatalog(rt.aws, deps);
  const day = today(rt.env);
  const verdict = judgeVersion(catalog, rt.config.kubernetesVersion, day);
  rt.io.debug(
    `Kubernetes versions from ${catalog.source === "aws" ? "EKS DescribeClusterVersions" : `the bundled table of ${catalog.asOf} (${catalog.fallbackReason ?? ""})`}`,
  );
  const stale = staleNotice(catalog, day);
  if (stale) rt.io.warn(stale);
  if (verdict.refused) {
    throw new UserError(verdict.message ?? `Kubernetes ${verdict.version} is not supported by EKS.`, {
      code: "config.kubernetes-version-unsupported",
    });
  }
  if (verdict.message) rt.io.warn(verdict.message);
  return verdict;
}

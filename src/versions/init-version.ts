import {
  defaultVersion,
  judgeVersion,
  staleNotice,
  type VersionCatalog,
} from "../config/kubernetes-versions.js";
import { UserError } from "../errors.js";
import type { Io } from "../io/io.js";
import { loadVersionCatalog, mayHaveAwsAccess, today, type VersionsAws } from "./catalog.js";

/**
 * The version `init` offers: EKS's default when AWS answers, else the bundled table's newest version
 * in standard support today. The sandbox is not asked: the emulator has no DescribeClusterVersions.
 */
export async function chooseKubernetesVersion(
  env: NodeJS.ProcessEnv,
  region: string,
  sandbox: boolean,
  deps: { aws?: VersionsAws } = {},
): Promise<{ catalog: VersionCatalog; defaultVersion: string; note: string }> {
  const ask = !sandbox && mayHaveAwsAccess(env);
  const catalog = await loadVersionCatalog(ask ? { region, env, sandbox: false } : undefined, deps);
  const chosen = defaultVersion(catalog, today(env));
  const note =
    catalog.source === "aws"
      ? `Kubernetes ${chosen}: EKS's default for new clusters (DescribeClusterVersions).`
      : `Kubernetes ${chosen}: newest in standard support in the bundled EKS table of ${catalog.asOf} (${sandbox ? "the sandbox has no DescribeClusterVersions" : (catalog.fallbackReason ?? "")}).`;
  return { catalog, defaultVersion: chosen, note };
}

/** A chosen version EKS refuses stops init (exit 2, nothing written); extended support is warned about. */
export function judgeChosenVersion(
  io: Pick<Io, "warn">,
  catalog: VersionCatalog,
  version: string,
  env: NodeJS.ProcessEnv,
): void {
  const day = today(env);
  const stale = staleNotice(catalog, day);
  if (stale) io.warn(stale);
  const verdict = judgeVersion(catalog, version, day);
  if (verdict.refused) {
    throw new UserError(verdict.message ?? `Kubernetes ${version} is not supported by EKS.`, {
      code: "config.kubernetes-version-unsupported",
    });
  }
  if (verdict.message) io.warn(verdict.message);
}

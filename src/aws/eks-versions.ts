import type { KubernetesVersionInfo } from "../config/kubernetes-versions.js";
import { awsErrorName, messageOf } from "../errors.js";
import { type AwsContext, awsClientConfig, isApiUnavailable } from "./clients.js";
import { sdk } from "./sdk.js";

export type ClusterVersionsAnswer =
  | { ok: true; versions: KubernetesVersionInfo[] }
  | { ok: false; reason: string };

const PHASES = {
  STANDARD_SUPPORT: "standard",
  EXTENDED_SUPPORT: "extended",
  UNSUPPORTED: "unsupported",
  "standard-support": "standard",
  "extended-support": "extended",
  unsupported: "unsupported",
} as const;

/**
 * EKS DescribeClusterVersions, every page, unsupported versions included. Never throws: an API the
 * account or the emulator lacks, missing credentials or no network all come back as a reason, and
 * the caller falls back to the bundled table. One quick attempt, so a machine without AWS access
 * is not kept waiting.
 */
export async function describeClusterVersions(aws: AwsContext): Promise<ClusterVersionsAnswer> {
  const { EKSClient, DescribeClusterVersionsCommand } = sdk.eks();
  const eks = new EKSClient({
    ...awsClientConfig(aws, "EKS"),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
  });
  try {
    const versions: KubernetesVersionInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = await eks.send(
        new DescribeClusterVersionsCommand({ clusterType: "eks", includeAll: true, nextToken }),
      );
      for (const v of page.clusterVersions ?? []) {
        if (!v.clusterVersion || !v.endOfStandardSupportDate || !v.endOfExtendedSupportDate) continue;
        const raw = v.versionStatus ?? v.status;
        const status = raw ? PHASES[raw as keyof typeof PHASES] : undefined;
        versions.push({
          version: v.clusterVersion,
          releaseDate: (v.releaseDate ?? v.endOfStandardSupportDate).toISOString(),
          endOfStandardSupport: v.endOfStandardSupportDate.toISOString(),
          endOfExtendedSupport: v.endOfExtendedSupportDate.toISOString(),
          ...(status ? { status } : {}),
          ...(v.defaultVersion ? { isDefault: true } : {}),
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    if (versions.length === 0) return { ok: false, reason: "EKS returned no versions" };
    return { ok: true, versions };
  } catch (error) {
    if (isApiUnavailable(error))
      return { ok: false, reason: "DescribeClusterVersions is not available here" };
    return { ok: false, reason: `${awsErrorName(error) ?? "error"}: ${messageOf(error).split("\n")[0]}` };
  } finally {
    eks.destroy();
  }
}

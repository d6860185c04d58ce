import { awsErrorName, messageOf, UserError } from "../errors.js";
import { type AwsContext, awsClientConfig, isApiUnavailable, toAwsError } from "./clients.js";
import { sdk } from "./sdk.js";

/** EKS calls `triton-ops upgrade` makes: node groups, updates, insights and add-ons. */

export interface NodegroupFacts {
  name: string;
  version: string | undefined;
  releaseVersion: string | undefined;
  status: string;
  instanceTypes: string[];
  subnets: string[];
  desiredSize: number;
  maxSize: number;
  maxUnavailable: number | undefined;
  maxUnavailablePercentage: number | undefined;
}

export interface UpdateFacts {
  id: string;
  status: string;
  /** The version the update goes to. */
  target: string | undefined;
  errors: string[];
}

async function eksClient(aws: AwsContext) {
  const eksSdk = sdk.eks();
  return { sdk: eksSdk, eks: new eksSdk.EKSClient(awsClientConfig(aws, "EKS")) };
}

/**
 * EKS refuses some requests for reasons that are the caller's to fix (a skipped minor, an update
 * already running): those are one line and exit 2, like any refused input.
 */
function toUpgradeError(error: unknown, action: string): Error {
  const name = awsErrorName(error);
  if (
    name === "InvalidParameterException" ||
    name === "InvalidRequestException" ||
    name === "ResourceInUseException"
  ) {
    return new UserError(`EKS refused to ${action}: ${messageOf(error).split("\n")[0]}`, {
      code: "upgrade.refused-by-eks",
      cause: error,
    });
  }
  return toAwsError(error, action);
}

export async function listNodegroups(aws: AwsContext, cluster: string): Promise<string[]> {
  const { sdk, eks } = await eksClient(aws);
  try {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await eks.send(new sdk.ListNodegroupsCommand({ clusterName: cluster, nextToken }));
      names.push(...(page.nodegroups ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return names;
  } catch (error) {
    throw toAwsError(error, `list the node groups of ${cluster}`);
  } finally {
    eks.destroy();
  }
}

export async function describeNodegroup(
  aws: AwsContext,
  cluster: string,
  name: string,
): Promise<NodegroupFacts> {
  const { sdk, eks } = await eksClient(aws);
  try {
    const out = await eks.send(
      new sdk.DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: name }),
    );
    const ng = out.nodegroup;
    return {
      name,
      version: ng?.version,
      releaseVersion: ng?.releaseVersion,
      status: ng?.status ?? "UNKNOWN",
      instanceTypes: ng?.instanceTypes ?? [],
      subnets: ng?.subnets ?? [],
      desiredSize: ng?.scalingConfig?.desiredSize ?? 0,
      maxSize: ng?.scalingConfig?.maxSize ?? 0,
      maxUnavailable: ng?.updateConfig?.maxUnavailable,
      maxUnavailablePercentage: ng?.updateConfig?.maxUnavailablePercentage,
    };
  } catch (error) {
    throw toAwsError(error, `describe node group ${name}`);
  } finally {
    eks.destroy();
  }
}

/** Version updates still running on the cluster (or one node group): how an interrupted upgrade resumes. */
export async function inProgressUpdates(
  aws: AwsContext,
  cluster: string,
  nodegroup?: string,
): Promise<UpdateFacts[]> {
  const { sdk, eks } = await eksClient(aws);
  try {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await eks.send(
        new sdk.ListUpdatesCommand({
          name: cluster,
          nextToken,
          ...(nodegroup ? { nodegroupName: nodegroup } : {}),
        }),
      );
      ids.push(...(page.updateIds ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const found: UpdateFacts[] = [];
    for (const id of ids) {
      const u = await describeUpdateWith(eks, sdk, cluster, id, nodegroup);
      if (u.status === "InProgress") found.push(u);
    }
    return found;
  } catch (error) {
    if (isApiUnavailable(error)) return [];
    throw toAwsError(error, `list the updates of ${nodegroup ?? cluster}`);
  } finally {
    eks.destroy();
  }
}

async function describeUpdateWith(
  eks: InstanceType<typeof import("./sdk-surface/eks.js").EKSClient>,
  sdk: typeof import("./sdk-surface/eks.js"),
  cluster: string,
  id: string,
  nodegroup?: string,
): Promise<UpdateFacts> {
  const out = await eks.send(
    new sdk.DescribeUpdateCommand({
      name: cluster,
      updateId: id,
      ...(nodegroup ? { nodegroupName: nodegroup } : {}),
    }),
  );
  const u = out.update;
  return {
    id,
    status: u?.status ?? "Unknown",
    target: u?.params?.find((p) => p.type === "Version")?.value,
    errors: (u?.errors ?? []).map((e) => `${e.errorCode ?? "error"}: ${e.errorMessage ?? ""}`),
  };
}

export async function describeUpdate(
  aws: AwsContext,
  cluster: string,
  id: string,
  nodegroup?: string,
): Promise<UpdateFacts> {
  const { sdk, eks } = await eksClient(aws);
  try {
    return await describeUpdateWith(eks, sdk, cluster, id, nodegroup);
  } catch (error) {
    throw toAwsError(error, `describe update ${id}`);
  } finally {
    eks.destroy();
  }
}

/** UpdateClusterVersion; returns the update id. */
export async function updateClusterVersion(
  aws: AwsContext,
  cluster: string,
  version: string,
): Promise<string> {
  const { sdk, eks } = await eksClient(aws);
  try {
    const out = await eks.send(new sdk.UpdateClusterVersionCommand({ name: cluster, version }));
    return out.update?.id ?? "";
  } catch (error) {
    throw toUpgradeError(error, `update ${cluster} to Kubernetes ${version}`);
  } finally {
    eks.destroy();
  }
}

/** UpdateNodegroupVersion to the given version (the latest AMI release for it); returns the update id. */
export async function updateNodegroupVersion(
  aws: AwsContext,
  cluster: string,
  nodegroup: string,
  version: string,
): Promise<string> {
  const { sdk, eks } = await eksClient(aws);
  try {
    const out = await eks.send(
      new sdk.UpdateNodegroupVersionCommand({ clusterName: cluster, nodegroupName: nodegroup, version }),
    );
    return out.update?.id ?? "";
  } catch (error) {
    throw toUpgradeError(error, `update node group ${nodegroup} to Kubernetes ${version}`);
  } finally {
    eks.destroy();
  }
}

export type InsightsAnswer =
  | { available: false; reason: string }
  | { available: true; insights: Array<{ name: string; status: string; reason: string }> };

/** EKS upgrade insights (ListInsights, UPGRADE_READINESS); "unknown" where the API is absent. */
export async function listUpgradeInsights(aws: AwsContext, cluster: string): Promise<InsightsAnswer> {
  const { sdk, eks } = await eksClient(aws);
  try {
    const insights: Array<{ name: string; status: string; reason: string }> = [];
    let nextToken: string | undefined;
    do {
      const page = await eks.send(
        new sdk.ListInsightsCommand({
          clusterName: cluster,
          filter: { categories: ["UPGRADE_READINESS"] },
          nextToken,
        }),
      );
      for (const i of page.insights ?? []) {
        insights.push({
          name: i.name ?? i.id ?? "insight",
          status: i.insightStatus?.status ?? "UNKNOWN",
          reason: i.insightStatus?.reason ?? "",
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return { available: true, insights };
  } catch (error) {
    if (isApiUnavailable(error)) return { available: false, reason: "ListInsights is not available here" };
    throw toAwsError(error, `list the upgrade insights of ${cluster}`);
  } finally {
    eks.destroy();
  }
}

export type AddonsAnswer =
  | { available: false; reason: string }
  | {
      available: true;
      addons: Array<{
        name: string;
        version: string;
        compatibleVersions: string[];
        defaultForTarget?: string;
      }>;
    };

/** Managed add-ons and which of their versions run on the target (DescribeAddonVersions). */
export async function addonCompatibility(
  aws: AwsContext,
  cluster: string,
  target: string,
): Promise<AddonsAnswer> {
  const { sdk, eks } = await eksClient(aws);
  try {
    const names = (await eks.send(new sdk.ListAddonsCommand({ clusterName: cluster }))).addons ?? [];
    const addons = [];
    for (const name of names) {
      const current = await eks.send(new sdk.DescribeAddonCommand({ clusterName: cluster, addonName: name }));
      const versions = await eks.send(
        new sdk.DescribeAddonVersionsCommand({ addonName: name, kubernetesVersion: target }),
      );
      const list = versions.addons?.find((a) => a.addonName === name)?.addonVersions ?? [];
      const defaultForTarget = list.find((v) =>
        v.compatibilities?.some((c) => c.clusterVersion === target && c.defaultVersion),
      )?.addonVersion;
      addons.push({
        name,
        version: current.addon?.addonVersion ?? "unknown",
        compatibleVersions: list.map((v) => v.addonVersion ?? "").filter(Boolean),
        ...(defaultForTarget ? { defaultForTarget } : {}),
      });
    }
    return { available: true, addons };
  } catch (error) {
    if (isApiUnavailable(error))
      return { available: false, reason: "the add-on APIs are not available here" };
    throw toAwsError(error, `read the add-ons of ${cluster}`);
  } finally {
    eks.destroy();
  }
}

// `triton-ops kubeconfig`: one cluster/user/context entry for the project's EKS cluster, merged into the
// kubeconfig the way `aws eks update-kubeconfig` does, but with the exec credential calling back into
// this CLI (`triton-ops token`), so no AWS CLI is needed.
import { readFile } from "node:fs/promises";
import { parse, stringify } from "yaml";
import { type AwsContext, orAwsError } from "../aws/clients.js";
import { describeCluster } from "../aws/eks.js";
import { ExternalError, UserError } from "../errors.js";
import { isErrno, writeFileAtomic } from "../fs-util.js";
import { outputOf, type ProjectOutputs } from "../stages.js";
import { kubeconfigFiles } from "./connect.js";

export interface ClusterAccess {
  cluster: string;
  region: string;
  endpoint: string;
  certificateAuthorityData: string;
  /** Where endpoint and CA came from. */
  source: "state" | "eks";
}

interface Named {
  name: string;
  [key: string]: unknown;
}

/** What this module needs of the target verify and doctor resolve (targets.ts's Target is one). */
export interface KubeconfigTarget {
  /** A project config was found: the hint for a missing cluster names `up`. */
  project: boolean;
  names: { cluster: string | undefined };
  outputs: ProjectOutputs;
  region: string;
  aws: AwsContext;
}

// biome-ignore lint/suspicious/noExplicitAny: kubeconfig documents are free-form YAML
type KubeconfigDoc = Record<string, any>;

/** The cluster's endpoint and CA: from the eks stack's outputs, else from EKS DescribeCluster. */
export async function clusterAccess(target: KubeconfigTarget): Promise<ClusterAccess> {
  const cluster = target.names.cluster;
  if (!cluster) {
    throw new UserError("Which cluster? There is no project config and no --cluster.", {
      code: "kubeconfig.no-cluster",
      suggestion: "Pass --cluster NAME --region REGION, or run inside a project.",
    });
  }
  const endpoint = outputOf<string>(target.outputs, "eks", "cluster_endpoint");
  const ca = outputOf<string>(target.outputs, "eks", "cluster_certificate_authority_data");
  if (endpoint && ca && outputOf<string>(target.outputs, "eks", "cluster_name") === cluster) {
    return { cluster, region: target.region, endpoint, certificateAuthorityData: ca, source: "state" };
  }
  const described = await orAwsError(`describe EKS cluster ${cluster}`, describeCluster(target.aws, cluster));
  if (!described) {
    throw new UserError(`EKS cluster ${cluster} does not exist in ${target.region}.`, {
      code: "kubeconfig.no-cluster",
      suggestion: target.project
        ? "Create it with `triton-ops up --stage eks`, or check --region."
        : "Check --cluster and --region.",
    });
  }
  if (!described.endpoint || !described.certificateAuthorityData) {
    throw new ExternalError(`EKS cluster ${cluster} is ${described.status} and has no endpoint yet.`, {
      code: "kubeconfig.not-ready",
      suggestion: "Wait until it is ACTIVE (`triton-ops verify`), then run again.",
    });
  }
  return {
    cluster,
    region: target.region,
    endpoint: described.endpoint,
    certificateAuthorityData: described.certificateAuthorityData,
    source: "eks",
  };
}

/** Pure: a kubeconfig holding only this cluster's entry. */
export function kubeconfigEntry(
  access: ClusterAccess,
  options: { context: string; selfCommand: readonly string[] },
): KubeconfigDoc {
  const [command = "triton-ops", ...prefix] = options.selfCommand;
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: options.context,
        cluster: { server: access.endpoint, "certificate-authority-data": access.certificateAuthorityData },
      },
    ],
    users: [
      {
        name: options.context,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command,
            args: [...prefix, "token", "--cluster", access.cluster, "--region", access.region],
            interactiveMode: "Never",
            provideClusterInfo: false,
          },
        },
      },
    ],
    contexts: [{ name: options.context, context: { cluster: options.context, user: options.context } }],
    "current-context": options.context,
    preferences: {},
  };
}

function mergeNamed(existing: unknown, added: Named[]): Named[] {
  const list = Array.isArray(existing) ? (existing as Named[]) : [];
  const names = new Set(added.map((a) => a.name));
  return [...list.filter((item) => !names.has(item?.name)), ...added];
}

/** Pure: the entry merged into an existing kubeconfig; other clusters, users and contexts kept. */
export function mergeKubeconfig(existing: KubeconfigDoc | undefined, entry: KubeconfigDoc): KubeconfigDoc {
  const base = existing ?? { apiVersion: "v1", kind: "Config", preferences: {} };
  return {
    ...base,
    apiVersion: base.apiVersion ?? "v1",
    kind: base.kind ?? "Config",
    clusters: mergeNamed(base.clusters, entry.clusters),
    users: mergeNamed(base.users, entry.users),
    contexts: mergeNamed(base.contexts, entry.contexts),
    "current-context": entry["current-context"],
  };
}

export interface KubeconfigResult {
  written: boolean;
  file: string | undefined;
  context: string;
  cluster: string;
  server: string;
  source: ClusterAccess["source"];
  /** The kubeconfig for this cluster alone (it holds no secret: the token comes from the exec plugin). */
  kubeconfig: KubeconfigDoc;
}

export async function runKubeconfig(
  target: KubeconfigTarget,
  options: {
    write: boolean;
    kubeconfig?: string;
    context?: string;
    env: NodeJS.ProcessEnv;
    cwd: string;
    selfCommand?: readonly string[];
  },
): Promise<KubeconfigResult> {
  const access = await clusterAccess(target);
  const context = options.context ?? access.cluster;
  const entry = kubeconfigEntry(access, { context, selfCommand: options.selfCommand ?? ["triton-ops"] });
  const base = {
    context,
    cluster: access.cluster,
    server: access.endpoint,
    source: access.source,
    kubeconfig: entry,
  };
  if (!options.write) return { written: false, file: undefined, ...base };
  const file = kubeconfigFiles({
    env: options.env,
    cwd: options.cwd,
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
  })[0]!;
  let existing: KubeconfigDoc | undefined;
  try {
    const parsed: unknown = parse(await readFile(file, "utf8"));
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not a mapping");
      existing = parsed as KubeconfigDoc;
    }
  } catch (error) {
    if (!isErrno(error, "ENOENT")) {
      throw new UserError(`Kubeconfig ${file} is not a valid kubeconfig; not touching it.`, {
        code: "kube.config-invalid",
        suggestion: "Fix or move it, or write elsewhere with --kubeconfig FILE.",
      });
    }
  }
  await writeFileAtomic(file, stringify(mergeKubeconfig(existing, entry)), { secret: true });
  return { written: true, file, ...base };
}

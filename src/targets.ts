// What verify and doctor look at, resolved once: with a project config, the project's Runtime and stack
// outputs; without one, the current kubeconfig context, the default AWS credentials and the
// --region/--cluster flags. Checks that need the project's state skip with `projectMissing` as reason.
import type { Command } from "commander";
import type { AwsContext } from "./aws/clients.js";
import { resourceNames } from "./config/naming.js";
import { globalOptions, loadProjectConfig } from "./config/project.js";
import type { Config } from "./config/schema.js";
import type { CliContext } from "./context.js";
import { UserError } from "./errors.js";
import type { Io } from "./io/io.js";
import type { KubeTargetOptions } from "./k8s/connect.js";
import type { KubeClient } from "./k8s/types.js";
import type { Runtime } from "./runtime.js";
import { outputOf, type ProjectOutputs } from "./stages.js";

export const TRITON_NAMESPACE = "triton";
export const MONITORING_NAMESPACE = "monitoring";

export interface TargetFlags {
  kubeconfig?: string;
  context?: string;
  /** --cluster: the EKS cluster's name when there is no project config. */
  cluster?: string;
  /** Per-request timeout for Kubernetes calls. */
  requestTimeoutMs?: number;
  /** false for commands that only talk to Kubernetes (port-forward): no region is then needed. */
  needsAws?: boolean;
}

/** Names the checks look for; undefined where neither config nor state nor flags tell. */
export interface TargetNames {
  cluster: string | undefined;
  tritonNamespace: string;
  monitoringNamespace: string;
  gpuNodeGroup: string | undefined;
  systemNodeGroup: string | undefined;
  ecrRepository: string | undefined;
  imageTag: string | undefined;
  /** Value of the Project/Environment tags the stacks put on AWS resources. */
  projectTags: { Project: string; Environment: string } | undefined;
}

export interface Target {
  /** A project config was found (or --sandbox given): the project's state is known. */
  project: boolean;
  rt: Runtime | undefined;
  config: Readonly<Config> | undefined;
  aws: AwsContext;
  region: string;
  outputs: ProjectOutputs;
  allowedAccountIds: readonly string[];
  names: TargetNames;
  /** Why checks needing the project's state skip; undefined in a project. */
  projectMissing: string | undefined;
  /** Why no Kubernetes API can be reached at all (the sandbox); undefined otherwise. */
  kubeUnavailable: string | undefined;
  /** Opens the Kubernetes client (UserError for a missing kubeconfig/context). */
  connectKube(): Promise<KubeClient>;
}

/**
 * The Kubernetes client for the project's cluster: --context if given, else the context
 * `triton-ops kubeconfig --write` made (named after the cluster) when the kubeconfig has it, else the
 * current context.
 */
export async function connectProjectKube(
  options: KubeTargetOptions,
  context: string | undefined,
  cluster: string | undefined,
): Promise<KubeClient> {
  const { loadKubeConfig } = await import("./k8s/connect.js");
  const { createKubeClient } = await import("./k8s/client.js");
  let chosen = context;
  if (!chosen && cluster) {
    try {
      if (loadKubeConfig(options).kubeConfig.getContextObject(cluster)) chosen = cluster;
    } catch {
      // Reported by the plain load below.
    }
  }
  const { kubeConfig } = loadKubeConfig({ ...options, ...(chosen ? { context: chosen } : {}) });
  return createKubeClient(kubeConfig, options.client);
}

/** Pure: the cluster name an `aws eks get-token` or `triton-ops token` exec credential asks for. */
export function clusterFromExecArgs(args: readonly string[] | undefined): string | undefined {
  if (!args) return undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--cluster-name" || arg === "--cluster") return args[i + 1];
    const m = /^--cluster(?:-name)?=(.+)$/.exec(arg);
    if (m) return m[1];
  }
  return undefined;
}

/** Pure: names from config and stack outputs; state wins over what the config predicts. */
export function projectNames(config: Readonly<Config>, outputs: ProjectOutputs): TargetNames {
  const n = resourceNames(config);
  return {
    cluster: outputOf<string>(outputs, "eks", "cluster_name") ?? n.cluster,
    tritonNamespace: TRITON_NAMESPACE,
    monitoringNamespace: MONITORING_NAMESPACE,
    gpuNodeGroup: outputOf<string>(outputs, "gpu-nodes", "gpu_node_group_name") ?? n.gpuNodeGroup,
    systemNodeGroup: config.systemNodes.enabled
      ? (outputOf<string>(outputs, "gpu-nodes", "system_node_group_name") ?? n.systemNodeGroup)
      : undefined,
    ecrRepository: outputOf<string>(outputs, "ecr", "repository_name") ?? n.ecrRepository,
    imageTag: config.triton.imageTag,
    projectTags: { Project: config.name, Environment: config.environment },
  };
}

export async function resolveTarget(
  ctx: CliContext,
  command: Command,
  io: Io,
  flags: TargetFlags,
): Promise<Target> {
  const g = globalOptions(command);
  const loaded = await loadProjectConfig(ctx, command, io);
  const kubeBase: KubeTargetOptions = {
    env: ctx.env,
    cwd: ctx.cwd,
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.requestTimeoutMs ? { client: { requestTimeoutMs: flags.requestTimeoutMs } } : {}),
  };
  const { loadKubeConfig } = await import("./k8s/connect.js");
  const { createKubeClient } = await import("./k8s/client.js");
  // A kubeconfig or context named on the command line that does not exist is bad input (exit 2, before
  // anything runs), not a failed check: the user asked for something that is not there.
  if (flags.kubeconfig || flags.context) {
    loadKubeConfig({ ...kubeBase, ...(flags.context ? { context: flags.context } : {}) });
  }

  if (loaded.file !== undefined || g.sandbox) {
    const { runtimeFromConfig } = await import("./runtime.js");
    const { readAllOutputs } = await import("./terraform/state.js");
    const rt = await runtimeFromConfig(ctx, io, loaded);
    const outputs = await readAllOutputs(rt);
    const names = projectNames(rt.config, outputs);
    if (flags.cluster) names.cluster = flags.cluster;
    const kubeUnavailable =
      rt.config.sandbox && !flags.kubeconfig
        ? "the sandbox's EKS endpoint is not a real Kubernetes API (pass --kubeconfig to check a reachable cluster)"
        : undefined;
    return {
      project: true,
      rt,
      config: rt.config,
      aws: rt.aws,
      region: rt.config.region,
      outputs,
      allowedAccountIds: rt.config.allowedAccountIds,
      names,
      projectMissing: undefined,
      kubeUnavailable,
      async connectKube() {
        if (kubeUnavailable) {
          throw new UserError(`Cannot reach Kubernetes: ${kubeUnavailable}.`, { code: "kube.sandbox" });
        }
        return connectProjectKube(kubeBase, flags.context, names.cluster);
      },
    };
  }

  // No project: the current kubeconfig context and the default AWS credentials.
  const region = g.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
  let cluster = flags.cluster;
  if (!cluster) {
    try {
      const { kubeConfig } = loadKubeConfig({
        ...kubeBase,
        ...(flags.context ? { context: flags.context } : {}),
      });
      cluster = clusterFromExecArgs(kubeConfig.getCurrentUser()?.exec?.args);
    } catch {
      // No kubeconfig: the Kubernetes checks report it.
    }
  }
  if (!region && flags.needsAws !== false) {
    throw new UserError("No AWS region: there is no project config to read it from.", {
      code: "target.no-region",
      suggestion: "Pass --region REGION (or set AWS_REGION), or run inside a project with triton-ops.yaml.",
    });
  }
  return {
    project: false,
    rt: undefined,
    config: undefined,
    // Without needsAws nothing calls AWS, so an unknown region is never used.
    aws: { region: region ?? "", env: ctx.env, sandbox: false },
    region: region ?? "",
    outputs: {},
    allowedAccountIds: [],
    names: {
      cluster,
      tritonNamespace: TRITON_NAMESPACE,
      monitoringNamespace: MONITORING_NAMESPACE,
      gpuNodeGroup: undefined,
      systemNodeGroup: undefined,
      ecrRepository: undefined,
      imageTag: undefined,
      projectTags: undefined,
    },
    projectMissing: "no project config (triton-ops.yaml) here, so the project's state is unknown",
    kubeUnavailable: undefined,
    async connectKube() {
      const { kubeConfig } = loadKubeConfig({
        ...kubeBase,
        ...(flags.context ? { context: flags.context } : {}),
      });
      return createKubeClient(kubeConfig, kubeBase.client);
    },
  };
}

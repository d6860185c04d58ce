// The workloads stage: server-side apply of the rendered manifests (field manager triton-ops), rollout
// waits, pruning of what we own and no longer render; `down` deletes what we own, LoadBalancers first.

import { projectBase, resourceNames } from "../config/naming.js";
import { ExternalError, UserError } from "../errors.js";
import { registerSecret } from "../io/redact.js";
import { RECEIVER_SECRET, SLACK_URL_ENV } from "../k8s/alertmanager.js";
import {
  checkManifests,
  generatePassword,
  INSTANCE_LABEL,
  loadTemplates,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  OWNED_KINDS,
  objectKey,
  renderManifests,
  renderValues,
} from "../k8s/render.js";
import { GRAFANA_SECRET } from "../k8s/secret-names.js";
import type { KubeClient, KubernetesObject } from "../k8s/types.js";
import type { Runtime } from "../runtime.js";
import { outputOf, type ProjectOutputs } from "../stages.js";
import { connectProjectKube, TRITON_NAMESPACE } from "../targets.js";
import type { WorkloadsDriver } from "./up.js";

export const FIELD_MANAGER = "triton-ops";

export interface WorkloadsDeps {
  /** Opens the cluster's client; the kubeconfig's otherwise. */
  connect?: (rt: Runtime, options: { kubeconfig?: string; context?: string }) => Promise<KubeClient>;
  rolloutTimeoutMs?: number;
  /** How long to wait for the device plugin to make GPUs allocatable before refusing Triton. */
  gpuWaitMs?: number;
  pollMs?: number;
  /** explicit mode: how long the models in the repository may take to be READY after the rollout. */
  modelTimeoutMs?: number;
}

const SANDBOX_REASON =
  "the sandbox's EKS endpoint is not a Kubernetes API, so nothing was applied (pass --kubeconfig to apply to a reachable cluster)";

function ownedSelector(instance: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY},${INSTANCE_LABEL}=${instance}`;
}

function isTriton(object: KubernetesObject): boolean {
  return (
    object.metadata?.namespace === "triton" &&
    object.metadata.name === "triton" &&
    (object.kind === "Deployment" || object.kind === "HorizontalPodAutoscaler")
  );
}

/** Pure: does any node advertise an allocatable GPU? */
export function allocatableGpus(
  nodes: ReadonlyArray<{ status?: { allocatable?: Record<string, string> } }>,
): number {
  let total = 0;
  for (const node of nodes) {
    const n = Number(node.status?.allocatable?.["nvidia.com/gpu"] ?? "0");
    if (Number.isFinite(n) && n > 0) total += n;
  }
  return total;
}

/** Everything of ours in the cluster, keyed as objectKey. */
async function listOwned(kube: KubeClient, instance: string): Promise<Map<string, KubernetesObject>> {
  const lists = await Promise.all(
    OWNED_KINDS.map(async ({ apiVersion, kind }) =>
      (await kube.listByKind(apiVersion, kind, { labelSelector: ownedSelector(instance) })).map((o) => ({
        ...o,
        apiVersion,
        kind,
      })),
    ),
  );
  return new Map(lists.flat().map((o) => [objectKey(o), o]));
}

async function grafanaPassword(kube: KubeClient): Promise<string> {
  const existing = (await kube.read("v1", "Secret", GRAFANA_SECRET.name, GRAFANA_SECRET.namespace)) as
    | (KubernetesObject & { data?: Record<string, string> })
    | undefined;
  const stored = existing?.data?.["admin-password"];
  const password = stored ? Buffer.from(stored, "base64").toString("utf8") : generatePassword();
  registerSecret(password);
  return password;
}

/**
 * The Slack webhook URL for the slack receiver: from TRITON_OPS_SLACK_WEBHOOK_URL, else the one already in the
 * cluster's Secret. Registered as a secret so no output shows it.
 */
async function slackWebhookUrl(kube: KubeClient, rt: Runtime): Promise<string | undefined> {
  if (rt.config.alerts.receiver.type !== "slack") return undefined;
  const fromEnv = rt.env[SLACK_URL_ENV]?.trim();
  if (fromEnv) {
    registerSecret(fromEnv);
    if (!/^https:\/\/\S+$/.test(fromEnv)) {
      throw new UserError(`${SLACK_URL_ENV} is not an https URL.`, {
        code: "config.invalid",
        suggestion: "Set it to the Slack incoming-webhook URL (https://hooks.slack.com/services/...).",
      });
    }
    return fromEnv;
  }
  const existing = (await kube.read("v1", "Secret", RECEIVER_SECRET.name, RECEIVER_SECRET.namespace)) as
    | (KubernetesObject & { data?: Record<string, string> })
    | undefined;
  const stored = existing?.data?.[RECEIVER_SECRET.key];
  if (stored) {
    const url = Buffer.from(stored, "base64").toString("utf8");
    registerSecret(url);
    return url;
  }
  throw new UserError(
    `alerts.receiver is slack but ${SLACK_URL_ENV} is not set and the cluster has no Secret ${RECEIVER_SECRET.namespace}/${RECEIVER_SECRET.name}.`,
    {
      code: "config.invalid",
      suggestion: `Export ${SLACK_URL_ENV} with the Slack incoming-webhook URL and run up again.`,
    },
  );
}

/** Applies objects rank by rank (the list is in apply order); objects of one kind go side by side. */
async function applyInOrder(kube: KubeClient, objects: KubernetesObject[]): Promise<KubernetesObject[]> {
  const stored: KubernetesObject[] = [];
  let i = 0;
  while (i < objects.length) {
    const kind = objects[i]!.kind;
    const batch: KubernetesObject[] = [];
    while (i < objects.length && objects[i]!.kind === kind) batch.push(objects[i++]!);
    stored.push(...(await Promise.all(batch.map((o) => kube.apply(o, FIELD_MANAGER, true)))));
  }
  return stored;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function defaultConnect(
  rt: Runtime,
  options: { kubeconfig?: string; context?: string },
  outputs: ProjectOutputs,
) {
  const cluster = outputOf<string>(outputs, "eks", "cluster_name") ?? resourceNames(rt.config).cluster;
  return connectProjectKube(
    { env: rt.env, cwd: rt.ctx.cwd, ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}) },
    options.context,
    cluster,
  );
}

/**
 * Explicit model control: once Triton is rolled out, load every model its repository holds through the
 * repository API (a model already loaded is reloaded only when its files changed) and wait until each is
 * READY; one that is not fails the stage with Triton's reason. Returns a note for the stage's reason.
 */
async function loadRepositoryModels(
  rt: Runtime,
  kube: KubeClient,
  options: { timeoutMs: number; progress: (text: string) => void },
): Promise<string> {
  if (rt.config.triton.modelControlMode !== "explicit") return "";
  const [{ proxyTransport, servingTransports, repositoryIndex }, { loadAndWaitAll, formatWait }] =
    await Promise.all([import("../models/triton.js"), import("../models/control.js")]);
  const transport = proxyTransport(kube, TRITON_NAMESPACE);
  const names = (await repositoryIndex(transport)).map((e) => e.name);
  if (names.length === 0) {
    rt.io.warn(
      "workloads: Triton's model repository is empty: put models in it with `triton-ops models sync`.",
    );
    return ", no models in the repository";
  }
  // Every replica, each through its pod: the Service would reach only one of them.
  const result = await loadAndWaitAll(await servingTransports(kube, TRITON_NAMESPACE), names, {
    mode: "explicit",
    timeoutMs: options.timeoutMs,
    onProgress: options.progress,
  });
  if (!result.ok) {
    throw new ExternalError(
      `Triton rolled out, but ${formatWait(result, Math.round(options.timeoutMs / 1000)).replace(/^./, (c) => c.toLowerCase())}`,
      {
        code: "workloads.models-not-ready",
        suggestion:
          "Fix the model (`triton-ops models lint`), sync it, and load it again: `triton-ops models sync --load`.",
      },
    );
  }
  return `, ${names.length} model(s) loaded and READY`;
}

export function createWorkloadsDriver(deps: WorkloadsDeps = {}): WorkloadsDriver {
  const seconds = (rt: Runtime, name: string, fallback: number) => {
    const value = Number(rt.env[name]);
    return rt.env[name] !== undefined && Number.isFinite(value) && value >= 0 ? value * 1000 : fallback;
  };
  // TRITON_OPS_ROLLOUT_TIMEOUT_SECONDS: how long up waits for each rollout (and down for load balancers).
  const rolloutTimeoutFor = (rt: Runtime) =>
    deps.rolloutTimeoutMs ?? seconds(rt, "TRITON_OPS_ROLLOUT_TIMEOUT_SECONDS", 600_000);
  // TRITON_OPS_GPU_WAIT_SECONDS: how long up waits for GPU nodes to advertise nvidia.com/gpu.
  const gpuWaitFor = (rt: Runtime) => deps.gpuWaitMs ?? seconds(rt, "TRITON_OPS_GPU_WAIT_SECONDS", 120_000);
  const pollMs = deps.pollMs ?? 5000;
  const connect = (
    rt: Runtime,
    options: { kubeconfig?: string; context?: string },
    outputs: ProjectOutputs,
  ) => (deps.connect ? deps.connect(rt, options) : defaultConnect(rt, options, outputs));

  return {
    async up(rt, outputs, options) {
      const templates = await loadTemplates();
      const { values, warnings } = renderValues(rt.config, outputs);
      for (const warning of warnings) rt.io.warn(`workloads: ${warning}`);
      if (rt.config.sandbox && !options.kubeconfig) {
        const { objects } = renderManifests(templates, values, { grafanaPassword: "sandbox-placeholder" });
        const problems = checkManifests(objects);
        if (problems.length > 0) {
          throw new UserError(`Rendered manifests are invalid: ${problems.join("; ")}`, {
            code: "render.invalid",
          });
        }
        return {
          status: "skipped",
          reason: `sandbox: ${objects.length} manifests rendered and validated; ${SANDBOX_REASON}`,
          objects: 0,
        };
      }
      const progress = options.onProgress ?? (() => {});
      const kube = await connect(rt, options, outputs);
      progress(`reading what is applied on ${kube.server}`);
      const [password, before, slack] = await Promise.all([
        grafanaPassword(kube),
        listOwned(kube, values.instance),
        slackWebhookUrl(kube, rt),
      ]);
      const { objects } = renderManifests(templates, values, {
        grafanaPassword: password,
        ...(slack !== undefined ? { slackWebhookUrl: slack } : {}),
      });
      const problems = checkManifests(objects);
      if (problems.length > 0) {
        throw new UserError(`Rendered manifests are invalid: ${problems.join("; ")}`, {
          code: "render.invalid",
        });
      }

      // The device plugin is what makes GPUs allocatable, so everything but Triton goes first.
      progress(`applying ${objects.length} objects (server-side, field manager ${FIELD_MANAGER})`);
      const stored = await applyInOrder(
        kube,
        objects.filter((o) => !isTriton(o)),
      );
      let gpus = allocatableGpus(await kube.listNodes());
      if (gpus === 0) {
        progress("waiting for the NVIDIA device plugin to advertise nvidia.com/gpu");
        const deadline = Date.now() + gpuWaitFor(rt);
        while (gpus === 0 && Date.now() < deadline) {
          await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
          gpus = allocatableGpus(await kube.listNodes());
        }
      }
      if (gpus === 0 && !options.force) {
        throw new ExternalError(
          "No node has allocatable nvidia.com/gpu, so Triton (which needs one) was not deployed; the rest was applied. Check the GPU nodes and the device plugin, or deploy anyway with --force.",
          {
            code: "workloads.no-gpu",
            suggestion:
              "Check the GPU node group and the nvidia-device-plugin pods with `triton-ops doctor`.",
          },
        );
      }
      if (gpus === 0)
        rt.io.warn("workloads: no node advertises nvidia.com/gpu; deploying Triton anyway (--force).");
      stored.push(...(await applyInOrder(kube, objects.filter(isTriton))));

      const rendered = new Set(objects.map(objectKey));
      const stale = [...before.values()].filter((o) => !rendered.has(objectKey(o)));
      for (const object of stale) {
        progress(`pruning ${object.kind} ${object.metadata?.name}`);
        await kube.delete(object);
      }

      const rollouts = objects.filter((o) => o.kind === "Deployment" || o.kind === "DaemonSet");
      const ready = new Map<string, string>();
      const report = () => progress(`rollout: ${[...ready.values()].join(", ")}`);
      await Promise.all(
        rollouts.map((o) =>
          kube.waitForRollout(
            o.kind as "Deployment" | "DaemonSet",
            o.metadata!.namespace!,
            o.metadata!.name!,
            {
              timeoutMs: rolloutTimeoutFor(rt),
              onProgress: (p) => {
                ready.set(objectKey(o), `${o.metadata?.name} ${p.ready}/${p.desired}`);
                report();
              },
            },
          ),
        ),
      );

      const models = await loadRepositoryModels(rt, kube, {
        timeoutMs: deps.modelTimeoutMs ?? seconds(rt, "TRITON_OPS_MODEL_TIMEOUT_SECONDS", 300_000),
        progress,
      });

      const changed = stored.filter((o) => {
        const previous = before.get(objectKey({ ...o, apiVersion: o.apiVersion, kind: o.kind }));
        return !previous || previous.metadata?.resourceVersion !== o.metadata?.resourceVersion;
      }).length;
      if (changed === 0 && stale.length === 0) {
        return {
          status: "unchanged",
          reason: `${objects.length} objects up to date${models}`,
          objects: objects.length,
        };
      }
      return {
        status: "applied",
        reason: `${objects.length} objects (${changed} changed, ${stale.length} pruned), ${rollouts.length} rollouts done${models}`,
        objects: objects.length,
      };
    },

    async down(rt, outputs, options) {
      if (rt.config.sandbox && !options.kubeconfig) {
        return { status: "skipped", reason: SANDBOX_REASON.replace("applied", "deleted"), objects: 0 };
      }
      if (!outputs.eks && !options.kubeconfig) {
        return {
          status: "skipped",
          reason: "the eks stack is not applied, so there is no cluster",
          objects: 0,
        };
      }
      const progress = options.onProgress ?? (() => {});
      const kube = await connect(rt, options, outputs);
      const instance = projectBase(rt.config);
      const owned = [...(await listOwned(kube, instance)).values()];
      if (owned.length === 0)
        return { status: "deleted", reason: "nothing of ours in the cluster", objects: 0 };
      const loadBalancers = owned.filter(
        (o) => o.kind === "Service" && (o as { spec?: { type?: string } }).spec?.type === "LoadBalancer",
      );
      if (options.confirm) {
        const lines = [
          `workloads: ${owned.length} Kubernetes objects to delete from ${kube.server}`,
          ...owned.map(
            (o) =>
              `  - ${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`,
          ),
        ];
        if (!(await options.confirm(lines))) return { status: "skipped", reason: "declined", objects: 0 };
      }
      // LoadBalancer Services first, waited for: their NLBs and security groups would block the VPC's destroy.
      for (const service of loadBalancers) {
        progress(`deleting LoadBalancer Service ${service.metadata?.namespace}/${service.metadata?.name}`);
        await kube.delete(service);
      }
      const rolloutTimeoutMs = rolloutTimeoutFor(rt);
      const deadline = Date.now() + rolloutTimeoutMs;
      for (const service of loadBalancers) {
        while (await kube.read("v1", "Service", service.metadata!.name!, service.metadata?.namespace)) {
          if (Date.now() > deadline) {
            throw new ExternalError(
              `LoadBalancer Service ${service.metadata?.namespace}/${service.metadata?.name} is still there after ${Math.round(rolloutTimeoutMs / 1000)} s.`,
              {
                code: "workloads.lb-stuck",
                suggestion:
                  "`kubectl describe service` shows the service controller's events; its finalizer (service.kubernetes.io/load-balancer-cleanup) removes the NLB.",
              },
            );
          }
          await sleep(pollMs);
        }
      }
      // The rest in reverse apply order: workloads before what they use, namespaces last.
      const order = OWNED_KINDS.map((k) => k.kind);
      const rest = owned
        .filter((o) => !loadBalancers.includes(o))
        .sort((a, b) => order.indexOf(a.kind!) - order.indexOf(b.kind!));
      for (const object of rest) {
        progress(`deleting ${object.kind} ${object.metadata?.name}`);
        await kube.delete(object);
      }
      return { status: "deleted", reason: `${owned.length} objects deleted`, objects: owned.length };
    },
  };
}

export const workloadsDriver: WorkloadsDriver = createWorkloadsDriver();

// Renders templates/ into Kubernetes objects from the config and the stacks' outputs. Loading the files
// is the only I/O; filling, labelling and checking them are pure.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { modelBucketStem, modelKeyPath, projectBase, resourceNames } from "../config/naming.js";
import type { Config } from "../config/schema.js";
import { UserError } from "../errors.js";
import { TEMPLATES_ROOT } from "../paths.js";
import { outputOf, type ProjectOutputs } from "../stages.js";
import { type AlertReceiver, alertmanagerConfig, RECEIVER_SECRET } from "./alertmanager.js";
import { clusterAutoscalerImage, IMAGES, isPinnedImage } from "./images.js";
import { GRAFANA_SECRET } from "./secret-names.js";
import type { KubernetesObject } from "./types.js";

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "triton-ops";
export const INSTANCE_LABEL = "triton-ops/instance";

/** Template files in apply order; hpa.yaml only when the config asks for autoscaling. */
export const TEMPLATE_FILES = [
  "monitoring/namespace.yaml",
  "autoscaling/cluster-autoscaler.yaml",
  "triton/triton.yaml",
  "triton/hpa.yaml",
  "triton/pdb.yaml",
  "gpu/nvidia-device-plugin.yaml",
  "gpu/dcgm-exporter.yaml",
  "gpu/node-exporter.yaml",
  "monitoring/kube-state-metrics.yaml",
  "monitoring/prometheus.yaml",
  "monitoring/alertmanager.yaml",
  "monitoring/prometheus-adapter.yaml",
  "monitoring/grafana.yaml",
] as const;
export type TemplateFile = (typeof TEMPLATE_FILES)[number];
export type Templates = Record<TemplateFile, string>;

/** Every kind the templates produce (and so every kind pruning and `down` look for), in delete order. */
export const OWNED_KINDS: ReadonlyArray<{ apiVersion: string; kind: string; namespaced: boolean }> = [
  { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", namespaced: true },
  // Before the adapter's Deployment: an APIService without a backend breaks API discovery for everyone.
  { apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", namespaced: false },
  { apiVersion: "policy/v1", kind: "PodDisruptionBudget", namespaced: true },
  { apiVersion: "apps/v1", kind: "Deployment", namespaced: true },
  { apiVersion: "apps/v1", kind: "DaemonSet", namespaced: true },
  { apiVersion: "v1", kind: "Service", namespaced: true },
  { apiVersion: "v1", kind: "ConfigMap", namespaced: true },
  { apiVersion: "v1", kind: "Secret", namespaced: true },
  { apiVersion: "v1", kind: "ServiceAccount", namespaced: true },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", namespaced: true },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", namespaced: true },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", namespaced: false },
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", namespaced: false },
  { apiVersion: "v1", kind: "Namespace", namespaced: false },
];

/** Apply order: what others refer to comes first. */
const APPLY_RANK: Record<string, number> = {
  Namespace: 0,
  ServiceAccount: 1,
  ClusterRole: 2,
  ClusterRoleBinding: 3,
  Role: 2,
  RoleBinding: 3,
  ConfigMap: 4,
  Secret: 4,
  Service: 5,
  PodDisruptionBudget: 5,
  DaemonSet: 6,
  Deployment: 7,
  // Registered once the adapter behind it exists.
  APIService: 8,
  HorizontalPodAutoscaler: 8,
};

export async function loadTemplates(root = TEMPLATES_ROOT): Promise<Templates> {
  const entries = await Promise.all(
    TEMPLATE_FILES.map(async (file) => [file, await readFile(path.join(root, file), "utf8")] as const),
  );
  return Object.fromEntries(entries) as Templates;
}

export interface RenderValues {
  instance: string;
  region: string;
  image: string;
  modelRepository: string;
  modelControlMode: string;
  /** Triton's --repository-poll-secs in poll mode. */
  repositoryPollSeconds: number;
  irsaRoleArn: string;
  replicas: number;
  hpaMaxReplicas: number | undefined;
  hpaTargetQueueTimeUs: number;
  serviceType: "ClusterIP" | "LoadBalancer";
  alertReceiver: AlertReceiver;
  /** IRSA role Alertmanager publishes to SNS with; empty unless the receiver is SNS. */
  alertmanagerRoleArn: string;
  clusterName: string;
  clusterAutoscalerImage: string;
  clusterAutoscalerRoleArn: string;
  /** cluster-autoscaler's --scale-down-unneeded-time, e.g. 10m. */
  scaleDownUnneededTime: string;
}

/** Pure: the values templates are filled with, and what is missing from the stacks' state. */
export function renderValues(
  config: Readonly<Config>,
  outputs: ProjectOutputs,
): { values: RenderValues; warnings: string[] } {
  const names = resourceNames(config);
  const warnings: string[] = [];
  const repositoryUrl = outputOf<string>(outputs, "ecr", "repository_url");
  const bucket = outputOf<string>(outputs, "ecr", "model_bucket_name");
  const irsa = outputOf<string>(outputs, "eks", "triton_irsa_role_arn");
  if (!repositoryUrl || !bucket) {
    warnings.push("the ecr stack is not applied: the image and model bucket are placeholders");
  }
  if (!irsa) warnings.push("the eks stack is not applied: the Triton ServiceAccount has no IAM role yet");
  const autoscalerRole = outputOf<string>(outputs, "eks", "cluster_autoscaler_irsa_role_arn");
  if (irsa && !autoscalerRole) {
    warnings.push(
      "the eks stack has no cluster-autoscaler role yet: apply it again so the GPU pool can scale",
    );
  }
  const autoscalerImage = clusterAutoscalerImage(config.kubernetesVersion);
  if (autoscalerImage.warning) warnings.push(autoscalerImage.warning);
  const receiver = config.alerts.receiver;
  const alertmanagerRole =
    receiver.type === "sns" ? outputOf<string>(outputs, "eks", "alertmanager_irsa_role_arn") : undefined;
  if (receiver.type === "sns" && !alertmanagerRole) {
    warnings.push(
      "the eks stack has no Alertmanager role yet: alerts cannot be published to SNS until it is applied",
    );
  }
  const modelPath = modelKeyPath(config.triton.modelRepositoryPath);
  return {
    values: {
      instance: projectBase(config),
      region: config.region,
      image: `${repositoryUrl ?? names.ecrRepository}:${config.triton.imageTag}`,
      modelRepository: `s3://${bucket ?? modelBucketStem(config)}${modelPath ? `/${modelPath}` : ""}`,
      modelControlMode: config.triton.modelControlMode,
      repositoryPollSeconds: config.triton.repositoryPollSeconds,
      irsaRoleArn: irsa ?? "",
      replicas: config.triton.replicas,
      hpaMaxReplicas: config.triton.hpaMaxReplicas,
      hpaTargetQueueTimeUs: config.triton.hpaTargetQueueTimeUs,
      serviceType: config.triton.serviceType,
      alertReceiver: receiver,
      alertmanagerRoleArn: alertmanagerRole ?? "",
      clusterName: outputOf<string>(outputs, "eks", "cluster_name") ?? names.cluster,
      clusterAutoscalerImage: autoscalerImage.image,
      clusterAutoscalerRoleArn: autoscalerRole ?? "",
      scaleDownUnneededTime: `${config.gpu.scaleDownIdleMinutes}m`,
    },
    warnings,
  };
}

// Values go into YAML unquoted in places (numbers, args): only characters that cannot change its structure.
const SAFE_VALUE = /^[A-Za-z0-9._:/@=+-]*$/;

function fill(text: string, file: string, values: Record<string, string | number>): string {
  return text.replace(/@@([A-Za-z]+)@@/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template ${file} uses @@${key}@@, which has no value`);
    const s = String(value);
    if (!SAFE_VALUE.test(s)) {
      throw new UserError(`Value "${s}" for ${key} has characters a manifest cannot take.`, {
        code: "render.bad-value",
        suggestion: "Check the config (triton.*) and the stacks' outputs.",
      });
    }
    return s;
  });
}

function labelled(object: KubernetesObject, instance: string): KubernetesObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: {
        ...(object.metadata?.labels ?? {}),
        [MANAGED_BY_LABEL]: MANAGED_BY,
        "app.kubernetes.io/part-of": "triton-ops",
        [INSTANCE_LABEL]: instance,
      },
    },
  };
}

type OpaqueSecret = KubernetesObject & { type: string; data: Record<string, string> };

/** Pure: an Opaque Secret with its values base64-encoded. */
function opaqueSecret(
  where: { name: string; namespace: string },
  values: Record<string, string>,
): OpaqueSecret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: where.name, namespace: where.namespace },
    type: "Opaque",
    data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString("base64")])),
  };
}

/** Pure: the Secret holding Grafana's admin credentials. */
export function grafanaSecret(password: string): OpaqueSecret {
  return opaqueSecret(GRAFANA_SECRET, { "admin-user": "admin", "admin-password": password });
}

/** Pure: the Secret holding the Slack webhook URL Alertmanager reads from a file. */
export function receiverSecret(slackWebhookUrl: string): OpaqueSecret {
  return opaqueSecret(RECEIVER_SECRET, { [RECEIVER_SECRET.key]: slackWebhookUrl });
}

export function generatePassword(): string {
  return randomBytes(24).toString("base64url");
}

export interface Rendered {
  /** In apply order. */
  objects: KubernetesObject[];
  /** Which template file each object came from (same order). */
  files: string[];
  warnings: string[];
}

/**
 * Pure: templates filled and labelled. Without `grafanaPassword` (render to files) the Secret is left out:
 * it is made at apply time and never written anywhere else.
 */
export function renderManifests(
  templates: Templates,
  values: RenderValues,
  options: { grafanaPassword?: string; slackWebhookUrl?: string } = {},
): Rendered {
  const fillValues: Record<string, string | number> = {
    instance: values.instance,
    region: values.region,
    image: values.image,
    modelRepository: values.modelRepository,
    modelControlMode: values.modelControlMode,
    repositoryPollSeconds: values.repositoryPollSeconds,
    irsaRoleArn: values.irsaRoleArn,
    replicas: values.replicas,
    hpaTargetQueueTimeUs: values.hpaTargetQueueTimeUs,
    alertmanagerRoleArn: values.alertmanagerRoleArn,
    clusterName: values.clusterName,
    clusterAutoscalerRoleArn: values.clusterAutoscalerRoleArn,
    scaleDownUnneededTime: values.scaleDownUnneededTime,
    imageClusterAutoscaler: values.clusterAutoscalerImage,
    imagePrometheus: IMAGES.prometheus,
    imageAlertmanager: IMAGES.alertmanager,
    imagePrometheusAdapter: IMAGES.prometheusAdapter,
    imageKubeStateMetrics: IMAGES.kubeStateMetrics,
    imageNodeExporter: IMAGES.nodeExporter,
    imageGrafana: IMAGES.grafana,
    imageNvidiaDevicePlugin: IMAGES.nvidiaDevicePlugin,
    imageDcgmExporter: IMAGES.dcgmExporter,
    ...(values.hpaMaxReplicas !== undefined ? { hpaMaxReplicas: values.hpaMaxReplicas } : {}),
  };
  const out: Array<{ object: KubernetesObject; file: string }> = [];
  for (const file of TEMPLATE_FILES) {
    if (file === "triton/hpa.yaml" && values.hpaMaxReplicas === undefined) continue;
    for (const doc of parseAllDocuments(fill(templates[file], file, fillValues))) {
      if (doc.errors.length > 0) throw new Error(`template ${file}: ${doc.errors[0]?.message}`);
      const object = doc.toJS() as KubernetesObject | null;
      if (!object) continue;
      out.push({ object: labelled(object, values.instance), file });
    }
  }
  if (options.grafanaPassword !== undefined) {
    out.push({
      object: labelled(grafanaSecret(options.grafanaPassword), values.instance),
      file: "(generated)",
    });
  }
  if (options.slackWebhookUrl !== undefined) {
    out.push({
      object: labelled(receiverSecret(options.slackWebhookUrl), values.instance),
      file: "(generated)",
    });
  }
  // Written as YAML by code: URLs carry characters a placeholder may not.
  const amConfig = out.find(
    (o) => o.object.kind === "ConfigMap" && o.object.metadata?.name === "alertmanager-config",
  );
  if (amConfig) {
    (amConfig.object as KubernetesObject & { data: Record<string, string> }).data = {
      "alertmanager.yml": alertmanagerConfig(values.alertReceiver, values.region),
    };
  }
  const deployment = out.find(
    (o) =>
      o.object.kind === "Deployment" &&
      o.object.metadata?.name === "triton" &&
      o.file === "triton/triton.yaml",
  );
  if (deployment) controlModeArgs(deployment.object as PodTemplateHolder, values.modelControlMode);
  const service = out.find((o) => o.object.kind === "Service" && o.object.metadata?.name === "triton");
  if (service && values.serviceType === "LoadBalancer") {
    const s = service.object as KubernetesObject & { spec: { type: string } };
    s.spec.type = "LoadBalancer";
    s.metadata = {
      ...s.metadata,
      annotations: {
        ...(s.metadata?.annotations ?? {}),
        // An internal NLB made by the service controller EKS itself runs (the in-tree AWS cloud provider):
        // nothing to install. The value "external" would hand the Service to the AWS Load Balancer
        // Controller, which no stage installs, and the Service would stay pending. Instance targets
        // (NodePort) because pod-IP targets need that controller. Internal, so the model server is not
        // on the internet by default; it uses the subnets tagged kubernetes.io/role/internal-elb.
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
      },
    };
  }
  const ordered = out
    .map((o, i) => ({ ...o, i }))
    .sort(
      (a, b) => (APPLY_RANK[a.object.kind ?? ""] ?? 9) - (APPLY_RANK[b.object.kind ?? ""] ?? 9) || a.i - b.i,
    );
  return { objects: ordered.map((o) => o.object), files: ordered.map((o) => o.file), warnings: [] };
}

/**
 * Pure, in place: the poll interval only in poll mode (Triton ignores it otherwise), and in explicit mode
 * --load-model=* (docs/user_guide/model_management.md: the only way to load everything at start), so a pod
 * that restarts or an HPA adds serves the models the others have loaded through the repository API.
 */
function controlModeArgs(deployment: PodTemplateHolder, mode: string): void {
  const container = deployment.spec?.template?.spec?.containers?.find((c) => c.name === "triton") as
    | { args?: string[] }
    | undefined;
  if (!container?.args) return;
  const args = container.args.filter((a) => mode === "poll" || !a.startsWith("--repository-poll-secs="));
  if (mode === "explicit") {
    const at = args.findIndex((a) => a.startsWith("--model-control-mode="));
    args.splice(at + 1, 0, "--load-model=*");
  }
  container.args = args;
}

const NAMESPACED = new Set(OWNED_KINDS.filter((k) => k.namespaced).map((k) => k.kind));
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

interface PodTemplateHolder {
  spec?: { template?: { spec?: { containers?: Array<{ name?: string; image?: string }> } } };
}

/** Triton's image tag is the user's (triton.imageTag), so it is the one image not held to a pinned tag. */
function isTritonServerContainer(object: KubernetesObject, container: { name?: string }): boolean {
  return (
    object.kind === "Deployment" &&
    object.metadata?.namespace === "triton" &&
    object.metadata.name === "triton" &&
    container.name === "triton"
  );
}

/** Pure: the structural checks run before anything is applied (tests also validate against the schemas). */
export function checkManifests(objects: readonly KubernetesObject[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const object of objects) {
    const where = `${object.kind ?? "?"} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata?.name ?? "?"}`;
    if (!object.apiVersion || !object.kind) problems.push(`${where}: apiVersion and kind are required`);
    const name = object.metadata?.name;
    if (!name || !NAME.test(name) || name.length > 253) problems.push(`${where}: invalid name`);
    if (object.kind && NAMESPACED.has(object.kind) && !object.metadata?.namespace) {
      problems.push(`${where}: namespaced kind without a namespace`);
    }
    if (object.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY)
      problems.push(`${where}: not labelled as ours`);
    const key = `${object.apiVersion}|${object.kind}|${object.metadata?.namespace ?? ""}|${name}`;
    if (seen.has(key)) problems.push(`${where}: rendered twice`);
    seen.add(key);
    for (const container of (object as PodTemplateHolder).spec?.template?.spec?.containers ?? []) {
      const image = container.image ?? "";
      const pinned = isTritonServerContainer(object, container)
        ? /^[^\s]+:[^/\s]+$|@sha256:/.test(image)
        : isPinnedImage(image);
      if (!pinned) {
        problems.push(`${where}: container ${container.name ?? "?"} has no pinned image`);
      }
    }
  }
  return problems;
}

/** Key of an object for comparing rendered with live. */
export function objectKey(object: Pick<KubernetesObject, "apiVersion" | "kind" | "metadata">): string {
  return `${object.apiVersion}|${object.kind}|${object.metadata?.namespace ?? ""}|${object.metadata?.name}`;
}

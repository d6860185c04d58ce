// Renders templates/ into Kubernetes objects from the config and the stacks' outputs. Loading the files
// is the only I/O; filling, labelling and checking them are pure.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseAllDocuments } from "yaml";
import { modelBucketStem, projectBase, resourceNames } from "../config/naming.js";
import type { Config } from "../config/schema.js";
import { UserError } from "../errors.js";
import { TEMPLATES_ROOT } from "../paths.js";
import { outputOf, type ProjectOutputs } from "../stages.js";
import type { KubernetesObject } from "./types.js";

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "triton-ops";
export const INSTANCE_LABEL = "triton-ops/instance";
export const GRAFANA_SECRET = { namespace: "monitoring", name: "grafana-admin" } as const;

/** Template files in apply order; hpa.yaml only when the config asks for autoscaling. */
export const TEMPLATE_FILES = [
  "monitoring/namespace.yaml",
  "triton/triton.yaml",
  "triton/hpa.yaml",
  "gpu/nvidia-device-plugin.yaml",
  "gpu/dcgm-exporter.yaml",
  "gpu/node-exporter.yaml",
  "monitoring/kube-state-metrics.yaml",
  "monitoring/prometheus.yaml",
  "monitoring/grafana.yaml",
] as const;
export type TemplateFile = (typeof TEMPLATE_FILES)[number];
export type Templates = Record<TemplateFile, string>;

/** Every kind the templates produce (and so every kind pruning and `down` look for). */
export const OWNED_KINDS: ReadonlyArray<{ apiVersion: string; kind: string; namespaced: boolean }> = [
  { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", namespaced: true },
  { apiVersion: "apps/v1", kind: "Deployment", namespaced: true },
  { apiVersion: "apps/v1", kind: "DaemonSet", namespaced: true },
  { apiVersion: "v1", kind: "Service", namespaced: true },
  { apiVersion: "v1", kind: "ConfigMap", namespaced: true },
  { apiVersion: "v1", kind: "Secret", namespaced: true },
  { apiVersion: "v1", kind: "ServiceAccount", namespaced: true },
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
  ConfigMap: 4,
  Secret: 4,
  Service: 5,
  DaemonSet: 6,
  Deployment: 7,
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
  irsaRoleArn: string;
  replicas: number;
  hpaMaxReplicas: number | undefined;
  serviceType: "ClusterIP" | "LoadBalancer";
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
  const modelPath = config.triton.modelRepositoryPath.replace(/^\/+|\/+$/g, "");
  return {
    values: {
      instance: projectBase(config),
      region: config.region,
      image: `${repositoryUrl ?? names.ecrRepository}:${config.triton.imageTag}`,
      modelRepository: `s3://${bucket ?? modelBucketStem(config)}${modelPath ? `/${modelPath}` : ""}`,
      modelControlMode: config.triton.modelControlMode,
      irsaRoleArn: irsa ?? "",
      replicas: config.triton.replicas,
      hpaMaxReplicas: config.triton.hpaMaxReplicas,
      serviceType: config.triton.serviceType,
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

/** Pure: the Secret holding Grafana's admin credentials. */
export function grafanaSecret(
  password: string,
): KubernetesObject & { type: string; data: Record<string, string> } {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: GRAFANA_SECRET.name, namespace: GRAFANA_SECRET.namespace },
    type: "Opaque",
    data: {
      "admin-user": Buffer.from("admin").toString("base64"),
      "admin-password": Buffer.from(password).toString("base64"),
    },
  };
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
  options: { grafanaPassword?: string } = {},
): Rendered {
  const fillValues: Record<string, string | number> = {
    instance: values.instance,
    region: values.region,
    image: values.image,
    modelRepository: values.modelRepository,
    modelControlMode: values.modelControlMode,
    irsaRoleArn: values.irsaRoleArn,
    replicas: values.replicas,
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

const NAMESPACED = new Set(OWNED_KINDS.filter((k) => k.namespaced).map((k) => k.kind));
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

interface PodTemplateHolder {
  spec?: { template?: { spec?: { containers?: Array<{ name?: string; image?: string }> } } };
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
      if (!container.image || /\s/.test(container.image) || !/:[^/]+$|@sha256:/.test(container.image)) {
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

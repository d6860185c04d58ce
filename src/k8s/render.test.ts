import * as appsV1 from "kubernetes-models/apps/v1";
import * as autoscalingV2 from "kubernetes-models/autoscaling/v2";
import * as rbacV1 from "kubernetes-models/rbac.authorization.k8s.io/v1";
import * as coreV1 from "kubernetes-models/v1";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchema } from "../config/schema.js";
import {
  checkManifests,
  grafanaSecret,
  loadTemplates,
  renderManifests,
  renderValues,
  type Templates,
} from "./render.js";
import type { KubernetesObject } from "./types.js";

const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  "apps/v1": appsV1,
  "autoscaling/v2": autoscalingV2,
  "rbac.authorization.k8s.io/v1": rbacV1,
};

/** Validates against the upstream OpenAPI schema through kubernetes-models; throws on the first error. */
function validate(object: KubernetesObject): void {
  const Model = MODELS[object.apiVersion ?? ""]?.[object.kind ?? ""] as
    | (new (
        data: unknown,
      ) => { validate(): void })
    | undefined;
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

const outputs = {
  ecr: {
    repository_url: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-prod-triton",
    model_bucket_name: "acme-prod-models-123456789012",
  },
  eks: { triton_irsa_role_arn: "arn:aws:iam::123456789012:role/acme-prod-triton-irsa" },
};

let templates: Templates;
beforeAll(async () => {
  templates = await loadTemplates();
});

const find = (objects: KubernetesObject[], kind: string, name: string) =>
  // biome-ignore lint/suspicious/noExplicitAny: reading nested manifest fields in assertions
  objects.find((o) => o.kind === kind && o.metadata?.name === name) as any;

describe("renderManifests", () => {
  const config = configSchema.parse({
    name: "acme",
    environment: "prod",
    region: "eu-west-1",
    triton: { imageTag: "24.08-py3", modelRepositoryPath: "/models/v2/", modelControlMode: "explicit" },
  });

  it("renders every object valid against the Kubernetes schemas, labelled as ours", () => {
    const { values } = renderValues(config, outputs);
    const { objects } = renderManifests(templates, values, { grafanaPassword: "pw-123456789" });
    expect(objects.length).toBeGreaterThan(20);
    for (const object of objects) {
      expect(() => validate(object), `${object.kind} ${object.metadata?.name}`).not.toThrow();
      expect(object.metadata?.labels?.["app.kubernetes.io/managed-by"]).toBe("triton-ops");
      expect(object.metadata?.labels?.["triton-ops/instance"]).toBe("acme-prod");
    }
    expect(checkManifests(objects)).toEqual([]);
    // Namespaces first, workloads after what they use.
    expect(objects[0]?.kind).toBe("Namespace");
    const kinds = objects.map((o) => o.kind);
    expect(kinds.lastIndexOf("ConfigMap")).toBeLessThan(kinds.indexOf("Deployment"));
  });

  it("the schema validation does catch a broken object", () => {
    const { objects } = renderManifests(templates, renderValues(config, outputs).values);
    const broken = structuredClone(find(objects, "Deployment", "triton"));
    broken.spec.template.spec.containers[0].ports[0].containerPort = "eight thousand";
    expect(() => validate(broken)).toThrow();
  });

  it("wires Triton to the ECR image, the model bucket, the IRSA role and the GPU pool", () => {
    const { values, warnings } = renderValues(config, outputs);
    expect(warnings).toEqual([]);
    const { objects } = renderManifests(templates, values);
    const deployment = find(objects, "Deployment", "triton");
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe("123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme-prod-triton:24.08-py3");
    expect(container.args).toContain("--model-repository=s3://acme-prod-models-123456789012/models/v2");
    expect(container.args).toContain("--model-control-mode=explicit");
    expect(container.resources.limits["nvidia.com/gpu"]).toBe("1");
    expect(pod.nodeSelector).toEqual({ "triton-ops/pool": "gpu" });
    expect(pod.tolerations).toContainEqual({
      key: "nvidia.com/gpu",
      operator: "Exists",
      effect: "NoSchedule",
    });
    expect(container.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([
      8000, 8001, 8002,
    ]);
    expect(container.readinessProbe.httpGet.path).toBe("/v2/health/ready");
    // A loading server is never restarted, and a stopping one drains before SIGTERM.
    expect(container.livenessProbe.httpGet.path).toBe("/v2/health/live");
    expect(container.lifecycle.preStop.exec.command).toEqual(["sleep", "15"]);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(15);
    expect(container.livenessProbe.httpGet.path).toBe("/v2/health/live");
    expect(
      container.startupProbe.failureThreshold * container.startupProbe.periodSeconds,
    ).toBeGreaterThanOrEqual(300);
    expect(pod.volumes).toContainEqual(
      expect.objectContaining({ name: "dshm", emptyDir: expect.objectContaining({ medium: "Memory" }) }),
    );
    expect(find(objects, "ServiceAccount", "triton").metadata.annotations["eks.amazonaws.com/role-arn"]).toBe(
      "arn:aws:iam::123456789012:role/acme-prod-triton-irsa",
    );
    expect(find(objects, "Service", "triton").spec.type).toBe("ClusterIP");
    expect(find(objects, "HorizontalPodAutoscaler", "triton")).toBeUndefined();
  });

  it("puts the device plugin and DCGM exporter on GPU nodes only, node-exporter everywhere", () => {
    const { objects } = renderManifests(templates, renderValues(config, outputs).values);
    for (const name of ["nvidia-device-plugin", "dcgm-exporter"]) {
      const spec = find(objects, "DaemonSet", name).spec.template.spec;
      expect(spec.nodeSelector).toEqual({ "triton-ops/pool": "gpu" });
      expect(spec.tolerations.some((t: { key?: string }) => t.key === "nvidia.com/gpu")).toBe(true);
    }
    expect(find(objects, "Service", "dcgm-exporter").spec.ports[0].port).toBe(9400);
    expect(find(objects, "DaemonSet", "node-exporter").spec.template.spec.tolerations).toEqual([
      { operator: "Exists" },
    ]);
  });

  it("scrapes Triton, DCGM and node-exporter and carries the five alert rules", () => {
    const { objects } = renderManifests(templates, renderValues(config, outputs).values);
    const data = find(objects, "ConfigMap", "prometheus-config").data;
    const prometheus = parse(data["prometheus.yml"]);
    expect(prometheus.scrape_configs.map((s: { job_name: string }) => s.job_name)).toEqual(
      expect.arrayContaining(["triton", "dcgm-exporter", "node-exporter"]),
    );
    const rules = parse(data["alerts.yml"]).groups[0].rules;
    expect(rules.map((r: { alert: string }) => r.alert)).toEqual([
      "GPUMemoryHigh",
      "GPUTemperatureHigh",
      "NodeNotReady",
      "TritonPodRestarting",
      "TritonNotReady",
    ]);
    expect(rules[0].expr).toContain("> 0.9");
    expect(rules[1].expr).toContain("> 85");
    expect(rules[2].for).toBe("5m");
    const grafana = find(objects, "ConfigMap", "grafana-provisioning").data;
    expect(parse(grafana["datasources.yaml"]).datasources[0].url).toBe(
      "http://prometheus.monitoring.svc:9090",
    );
    const dashboard = JSON.parse(find(objects, "ConfigMap", "grafana-dashboards").data["gpu-triton.json"]);
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(4);
  });

  it("opts into a LoadBalancer with NLB annotations and into the HPA", () => {
    const lb = configSchema.parse({
      triton: { serviceType: "LoadBalancer", replicas: 2, hpaMaxReplicas: 6 },
    });
    const { objects } = renderManifests(templates, renderValues(lb, outputs).values);
    const service = find(objects, "Service", "triton");
    expect(service.spec.type).toBe("LoadBalancer");
    // The in-tree NLB: EKS's own service controller makes it; "external" would wait for a controller
    // that nothing installs.
    expect(service.metadata.annotations).toEqual({
      "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
      "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    });
    const hpa = find(objects, "HorizontalPodAutoscaler", "triton");
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([2, 6]);
    expect(hpa.spec.metrics[0].pods.metric.name).toBe("nv_inference_queue_duration_us");
    for (const object of objects) validate(object);
  });

  it("leaves the Grafana Secret out unless given a password, and stores it base64-encoded", () => {
    const { values } = renderValues(config, outputs);
    expect(find(renderManifests(templates, values).objects, "Secret", "grafana-admin")).toBeUndefined();
    const secret = grafanaSecret("s3cret-pass");
    expect(Buffer.from(secret.data["admin-password"] ?? "", "base64").toString()).toBe("s3cret-pass");
  });

  it("says what is missing when the stacks are not applied", () => {
    const { values, warnings } = renderValues(config, {});
    expect(warnings).toHaveLength(2);
    expect(values.image).toBe("acme-prod-triton:24.08-py3");
  });
});

describe("checkManifests", () => {
  it("names objects without a namespace, unlabelled, duplicated or with an unpinned image", () => {
    const problems = checkManifests([
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "d", namespace: "x", labels: { "app.kubernetes.io/managed-by": "triton-ops" } },
        spec: { template: { spec: { containers: [{ name: "c", image: "nginx" }] } } },
      } as KubernetesObject,
    ]);
    expect(problems).toEqual([
      "ConfigMap a: namespaced kind without a namespace",
      "ConfigMap a: not labelled as ours",
      "Deployment x/d: container c has no pinned image",
    ]);
  });
});

import * as apiregistrationV1 from "kubernetes-models/apiregistration.k8s.io/v1";
import * as appsV1 from "kubernetes-models/apps/v1";
import * as autoscalingV2 from "kubernetes-models/autoscaling/v2";
import * as policyV1 from "kubernetes-models/policy/v1";
import * as rbacV1 from "kubernetes-models/rbac.authorization.k8s.io/v1";
import * as coreV1 from "kubernetes-models/v1";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchema } from "../config/schema.js";
import { CLUSTER_AUTOSCALER_BY_MINOR, clusterAutoscalerImage, IMAGES, isPinnedImage } from "./images.js";
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
  "policy/v1": policyV1,
  "apiregistration.k8s.io/v1": apiregistrationV1,
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
  eks: {
    cluster_name: "acme-prod",
    triton_irsa_role_arn: "arn:aws:iam::123456789012:role/acme-prod-triton-irsa",
    cluster_autoscaler_irsa_role_arn: "arn:aws:iam::123456789012:role/acme-prod-cluster-autoscaler",
  },
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

  it("sets the poll interval in poll mode only, from triton.repositoryPollSeconds", () => {
    const args = (triton: object) =>
      find(
        renderManifests(templates, renderValues(configSchema.parse({ name: "acme", triton }), outputs).values)
          .objects,
        "Deployment",
        "triton",
      ).spec.template.spec.containers[0].args as string[];
    expect(args({})).toEqual(
      expect.arrayContaining(["--model-control-mode=poll", "--repository-poll-secs=30"]),
    );
    expect(args({ repositoryPollSeconds: 5 })).toContain("--repository-poll-secs=5");
    const none = args({ modelControlMode: "none" });
    expect(none.some((a) => a.startsWith("--repository-poll-secs") || a.startsWith("--load-model"))).toBe(
      false,
    );
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
    // Explicit mode: every model loads at start (a restarted replica is not empty), no poll interval.
    expect(container.args).toContain("--load-model=*");
    expect(container.args.some((a: string) => a.startsWith("--repository-poll-secs"))).toBe(false);
    // One model that fails to load neither crash-loops the server nor takes the pod out of the Service.
    expect(container.args).toEqual(
      expect.arrayContaining(["--exit-on-error=false", "--strict-readiness=false"]),
    );
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

  it("scrapes Triton, DCGM and node-exporter, sends alerts to Alertmanager and carries the alert rules", () => {
    const { objects } = renderManifests(templates, renderValues(config, outputs).values);
    const data = find(objects, "ConfigMap", "prometheus-config").data;
    const prometheus = parse(data["prometheus.yml"]);
    expect(prometheus.scrape_configs.map((s: { job_name: string }) => s.job_name)).toEqual(
      expect.arrayContaining(["triton", "dcgm-exporter", "node-exporter"]),
    );
    expect(prometheus.alerting.alertmanagers[0].static_configs[0].targets).toEqual([
      "alertmanager.monitoring.svc:9093",
    ]);
    const triton = prometheus.scrape_configs.find((s: { job_name: string }) => s.job_name === "triton");
    expect(
      triton.relabel_configs
        .filter((r: { target_label?: string }) => r.target_label)
        .map((r: { target_label: string }) => r.target_label),
    ).toEqual(["namespace", "pod"]);
    const rules = parse(data["alerts.yml"]).groups[0].rules;
    expect(rules.map((r: { alert: string }) => r.alert)).toEqual([
      "GPUMemoryHigh",
      "GPUTemperatureHigh",
      "GPUXidError",
      "NodeNotReady",
      "TritonPodRestarting",
      "TritonNotReady",
      "TritonQueueTimeP99High",
      "TritonInferenceFailureRate",
    ]);
    expect(rules[0].expr).toContain("> 0.9");
    expect(rules[1].expr).toContain("> 85");
    expect(rules[3].for).toBe("5m");
    expect(rules[5].expr).toContain("absent(");
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
    expect(hpa.spec.metrics[0].pods.metric.name).toBe("triton_queue_time_per_request_us");
    expect(hpa.spec.metrics[0].pods.target.averageValue).toBe("50000");
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

describe("the scaling and alerting objects", () => {
  const config = configSchema.parse({
    triton: { replicas: 2, hpaMaxReplicas: 5, hpaTargetQueueTimeUs: 20000 },
    alerts: { receiver: { type: "webhook", url: "https://hooks.example.com/alerts?team=ml&x=1" } },
  });

  it("include prometheus-adapter with its APIService and rule, a PDB for Triton, Alertmanager and the HPA", () => {
    const { objects } = renderManifests(templates, renderValues(config, outputs).values);
    for (const object of objects) validate(object);
    expect(checkManifests(objects)).toEqual([]);
    const apiService = find(objects, "APIService", "v1beta1.custom.metrics.k8s.io");
    expect(apiService.spec.service).toEqual({
      name: "prometheus-adapter",
      namespace: "monitoring",
      port: 443,
    });
    const adapterRules = parse(
      find(objects, "ConfigMap", "prometheus-adapter-config").data["config.yaml"],
    ).rules;
    expect(adapterRules[0].name.as).toBe("triton_queue_time_per_request_us");
    expect(adapterRules[0].resources.overrides).toEqual({
      namespace: { resource: "namespace" },
      pod: { resource: "pod" },
    });
    // The adapter reads the series the recording rule writes.
    const recording = parse(find(objects, "ConfigMap", "prometheus-config").data["recording.yml"]).groups[0]
      .rules[0];
    expect(adapterRules[0].seriesQuery).toContain(recording.record);
    expect(recording.expr).toContain("increase(nv_inference_queue_duration_us[30s])");
    expect(recording.expr).toContain("clamp_min(");
    expect(find(objects, "RoleBinding", "triton-ops-prometheus-adapter-auth-reader").metadata.namespace).toBe(
      "kube-system",
    );
    expect(find(objects, "PodDisruptionBudget", "triton").spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "triton" } },
    });
    const hpa = find(objects, "HorizontalPodAutoscaler", "triton");
    expect([
      hpa.spec.minReplicas,
      hpa.spec.maxReplicas,
      hpa.spec.metrics[0].pods.target.averageValue,
    ]).toEqual([2, 5, "20000"]);
    const am = parse(find(objects, "ConfigMap", "alertmanager-config").data["alertmanager.yml"]);
    expect(am.receivers[0].webhook_configs[0].url).toBe("https://hooks.example.com/alerts?team=ml&x=1");
    const kinds = objects.map((o) => o.kind);
    expect(kinds.indexOf("APIService")).toBeGreaterThan(kinds.lastIndexOf("Deployment"));
  });

  it("gives the DCGM exporter a priority class and probes", () => {
    const { objects } = renderManifests(templates, renderValues(config, outputs).values);
    const pod = find(objects, "DaemonSet", "dcgm-exporter").spec.template.spec;
    expect(pod.priorityClassName).toBe("system-node-critical");
    const c = pod.containers[0];
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
      expect(probe.httpGet).toEqual({ path: "/health", port: "metrics" });
    }
  });

  it("keeps the Slack URL in a Secret read from a file, and gives SNS the IRSA role", () => {
    const slack = configSchema.parse({ alerts: { receiver: { type: "slack", channel: "#ml-alerts" } } });
    const url = "https://hooks.slack.com/services/T000/B000/XXXX";
    const { objects } = renderManifests(templates, renderValues(slack, outputs).values, {
      slackWebhookUrl: url,
    });
    const am = find(objects, "ConfigMap", "alertmanager-config").data["alertmanager.yml"];
    expect(am).not.toContain(url);
    expect(parse(am).receivers[0].slack_configs[0].api_url_file).toBe(
      "/etc/alertmanager-receiver/slack-webhook-url",
    );
    const secret = find(objects, "Secret", "alertmanager-receiver");
    expect(Buffer.from(secret.data["slack-webhook-url"], "base64").toString()).toBe(url);
    expect(
      find(
        renderManifests(templates, renderValues(slack, outputs).values).objects,
        "Secret",
        "alertmanager-receiver",
      ),
    ).toBeUndefined();

    const sns = configSchema.parse({
      alerts: { receiver: { type: "sns", topicArn: "arn:aws:sns:eu-west-1:123456789012:alerts" } },
    });
    const withRole = {
      ...outputs,
      eks: { ...outputs.eks, alertmanager_irsa_role_arn: "arn:aws:iam::123456789012:role/am" },
    };
    const rendered = renderValues(sns, withRole);
    expect(rendered.warnings).toEqual([]);
    const snsObjects = renderManifests(templates, rendered.values).objects;
    expect(
      find(snsObjects, "ServiceAccount", "alertmanager").metadata.annotations["eks.amazonaws.com/role-arn"],
    ).toBe("arn:aws:iam::123456789012:role/am");
    expect(renderValues(sns, outputs).warnings.join(" ")).toContain("Alertmanager role");
  });

  it("pins every image to an exact tag from the one version table; only Triton's tag is the user's", () => {
    const latest = configSchema.parse({ triton: { imageTag: "latest" } });
    const { objects } = renderManifests(templates, renderValues(latest, outputs).values);
    const images = objects.flatMap((o) =>
      // biome-ignore lint/suspicious/noExplicitAny: reading nested manifest fields in assertions
      ((o as any).spec?.template?.spec?.containers ?? []).map((c: { name: string; image: string }) => ({
        owner: `${o.kind} ${o.metadata?.name}`,
        ...c,
      })),
    );
    const table = new Set<string>([
      ...Object.values(IMAGES),
      ...Object.values(CLUSTER_AUTOSCALER_BY_MINOR).map(
        (t) => `registry.k8s.io/autoscaling/cluster-autoscaler:${t}`,
      ),
    ]);
    for (const c of images) {
      if (c.owner === "Deployment triton") continue;
      expect(isPinnedImage(c.image), `${c.owner} ${c.image}`).toBe(true);
      expect(table.has(c.image), `${c.owner} ${c.image} is not from the image table`).toBe(true);
    }
    expect(checkManifests(objects)).toEqual([]);
    for (const bad of ["quay.io/prometheus/prometheus:latest", "quay.io/prometheus/prometheus", "a b:1"]) {
      expect(isPinnedImage(bad)).toBe(false);
    }
    expect(isPinnedImage(`x/y@sha256:${"a".repeat(64)}`)).toBe(true);
    const unpinned = structuredClone(find(objects, "Deployment", "grafana"));
    unpinned.spec.template.spec.containers[0].image = "docker.io/grafana/grafana:latest";
    expect(checkManifests([unpinned])).toEqual([
      "Deployment monitoring/grafana: container grafana has no pinned image",
    ]);
  });
});

describe("cluster-autoscaler", () => {
  const config = configSchema.parse({
    kubernetesVersion: "1.33",
    gpu: { minSize: 0, desiredSize: 0, maxSize: 4, scaleDownIdleMinutes: 20 },
  });

  it("runs with its IRSA role, discovers node groups by tag and scales down after the configured idle time", () => {
    const { values, warnings } = renderValues(config, outputs);
    expect(warnings).toEqual([]);
    const { objects } = renderManifests(templates, values);
    for (const object of objects) validate(object);
    expect(checkManifests(objects)).toEqual([]);
    expect(find(objects, "ServiceAccount", "cluster-autoscaler").metadata).toMatchObject({
      namespace: "kube-system",
      annotations: {
        "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/acme-prod-cluster-autoscaler",
      },
    });
    const deployment = find(objects, "Deployment", "cluster-autoscaler");
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe("registry.k8s.io/autoscaling/cluster-autoscaler:v1.33.6");
    expect(container.command).toContain(
      "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/acme-prod",
    );
    expect(container.command).toContain("--scale-down-unneeded-time=20m");
    expect(container.command).toContain("--expander=priority,least-waste");
    expect(deployment.spec.template.spec.priorityClassName).toBe("system-cluster-critical");
    const priorities = parse(
      find(objects, "ConfigMap", "cluster-autoscaler-priority-expander").data.priorities,
    );
    expect(priorities[50]).toEqual([".*-gpu-spot.*"]);
    expect(Number(Object.keys(priorities).sort((a, b) => Number(b) - Number(a))[0])).toBe(50);
  });

  it("follows the cluster's Kubernetes minor, and says so when the table has none for it", () => {
    expect(clusterAutoscalerImage("1.35").image).toBe(
      "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2",
    );
    const newer = clusterAutoscalerImage("1.38");
    expect(newer.image).toBe("registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2");
    expect(newer.warning).toContain("no cluster-autoscaler release for Kubernetes 1.38");
    expect(clusterAutoscalerImage("1.29").image).toBe(
      "registry.k8s.io/autoscaling/cluster-autoscaler:v1.31.1",
    );
  });

  it("spot first needs an on-demand group to fall back to", () => {
    expect(configSchema.safeParse({ gpu: { spotFirst: true } }).success).toBe(true);
    const bad = configSchema.safeParse({ gpu: { capacityType: "SPOT", spotFirst: true } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["gpu", "spotFirst"]);
  });

  it("warns when the eks stack predates the autoscaler role", () => {
    const { eks } = outputs;
    const old = { ...outputs, eks: { ...eks, cluster_autoscaler_irsa_role_arn: undefined } };
    expect(renderValues(config, old).warnings.join(" ")).toContain("no cluster-autoscaler role");
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

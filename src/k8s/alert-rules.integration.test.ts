// The rendered alert and recording rules under Debian's real promtool (check rules, test rules), the
// rendered prometheus.yml under `promtool check config`, and every receiver's alertmanager.yml under the
// real `amtool check-config`. Each alert is shown firing where it should and silent where it should not.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  forLoopback,
  type RenderedMonitoring,
  renderMonitoring,
  tempDir,
} from "../../test/support/monitoring.js";

let rendered: RenderedMonitoring;
let dir: string;
beforeAll(async () => {
  rendered = await renderMonitoring();
  dir = await tempDir("rules");
  await writeFile(path.join(dir, "recording.yml"), rendered.recordingYml);
  await writeFile(path.join(dir, "alerts.yml"), rendered.alertsYml);
});

const critical = { severity: "critical" };
const warning = { severity: "warning" };

/** One promtool test group: input series and what each alert shows at each evaluation time. */
interface Group {
  interval: string;
  input_series: Array<{ series: string; values: string }>;
  alert_rule_test?: Array<{
    eval_time: string;
    alertname: string;
    exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>;
  }>;
  promql_expr_test?: Array<{
    expr: string;
    eval_time: string;
    exp_samples: Array<{ labels: string; value: number }>;
  }>;
}

const groups: Record<string, Group> = {
  "GPU memory above 90% fires after 5 minutes; a GPU at 50% stays silent": {
    interval: "1m",
    input_series: [
      { series: 'DCGM_FI_DEV_FB_USED{gpu="0",node="n1"}', values: "95x10" },
      { series: 'DCGM_FI_DEV_FB_FREE{gpu="0",node="n1"}', values: "5x10" },
      { series: 'DCGM_FI_DEV_FB_USED{gpu="1",node="n1"}', values: "50x10" },
      { series: 'DCGM_FI_DEV_FB_FREE{gpu="1",node="n1"}', values: "50x10" },
    ],
    alert_rule_test: [
      { eval_time: "4m", alertname: "GPUMemoryHigh", exp_alerts: [] },
      {
        eval_time: "10m",
        alertname: "GPUMemoryHigh",
        exp_alerts: [
          {
            exp_labels: { ...warning, gpu: "0", node: "n1" },
            exp_annotations: { summary: "GPU 0 on n1 has used more than 90% of its memory" },
          },
        ],
      },
    ],
  },
  "GPU temperature above 85 C fires; 70 C stays silent": {
    interval: "1m",
    input_series: [
      { series: 'DCGM_FI_DEV_GPU_TEMP{gpu="0",node="n1"}', values: "90x10" },
      { series: 'DCGM_FI_DEV_GPU_TEMP{gpu="1",node="n1"}', values: "70x10" },
    ],
    alert_rule_test: [
      {
        eval_time: "10m",
        alertname: "GPUTemperatureHigh",
        exp_alerts: [
          {
            exp_labels: { ...warning, gpu: "0", node: "n1" },
            exp_annotations: { summary: "GPU 0 on n1 is above 85 C" },
          },
        ],
      },
    ],
  },
  "an XID error fires at once and clears 5 minutes after; a clean GPU stays silent": {
    interval: "1m",
    input_series: [
      { series: 'DCGM_FI_DEV_XID_ERRORS{gpu="0",node="n1"}', values: "0 0 79 0 0 0 0 0 0 0 0" },
      { series: 'DCGM_FI_DEV_XID_ERRORS{gpu="1",node="n1"}', values: "0x10" },
    ],
    alert_rule_test: [
      { eval_time: "1m", alertname: "GPUXidError", exp_alerts: [] },
      {
        eval_time: "3m",
        alertname: "GPUXidError",
        exp_alerts: [
          {
            exp_labels: { ...critical, gpu: "0", node: "n1" },
            exp_annotations: { summary: "GPU 0 on n1 reported XID error 79" },
          },
        ],
      },
      { eval_time: "10m", alertname: "GPUXidError", exp_alerts: [] },
    ],
  },
  "a node NotReady for 5 minutes fires; a Ready node stays silent": {
    interval: "1m",
    input_series: [
      { series: 'kube_node_status_condition{condition="Ready",status="true",node="n1"}', values: "0x10" },
      { series: 'kube_node_status_condition{condition="Ready",status="true",node="n2"}', values: "1x10" },
    ],
    alert_rule_test: [
      { eval_time: "3m", alertname: "NodeNotReady", exp_alerts: [] },
      {
        eval_time: "10m",
        alertname: "NodeNotReady",
        exp_alerts: [
          {
            exp_labels: { ...critical, condition: "Ready", status: "true", node: "n1" },
            exp_annotations: { summary: "Node n1 has been NotReady for more than 5 minutes" },
          },
        ],
      },
    ],
  },
  "a Triton restart fires; a pod that never restarted stays silent": {
    interval: "1m",
    input_series: [
      {
        series:
          'kube_pod_container_status_restarts_total{namespace="triton",pod="triton-a",container="triton"}',
        values: "0 0 1 1 1 1 1 1",
      },
      {
        series:
          'kube_pod_container_status_restarts_total{namespace="triton",pod="triton-b",container="triton"}',
        values: "0x7",
      },
    ],
    alert_rule_test: [
      {
        eval_time: "5m",
        alertname: "TritonPodRestarting",
        exp_alerts: [
          {
            exp_labels: { ...warning, namespace: "triton", pod: "triton-a", container: "triton" },
            exp_annotations: { summary: "Triton pod triton-a restarted in the last 15 minutes" },
          },
        ],
      },
    ],
  },
  "TritonNotReady fires when the Deployment is gone altogether (absent), not before 5 minutes": {
    interval: "1m",
    input_series: [
      // kube-state-metrics is up and reports other Deployments, but nothing for triton/triton.
      {
        series: 'kube_deployment_status_replicas_ready{namespace="monitoring",deployment="prometheus"}',
        values: "1x10",
      },
    ],
    alert_rule_test: [
      { eval_time: "4m", alertname: "TritonNotReady", exp_alerts: [] },
      {
        eval_time: "10m",
        alertname: "TritonNotReady",
        exp_alerts: [
          {
            exp_labels: { ...critical, namespace: "triton", deployment: "triton" },
            exp_annotations: {
              summary: "No Triton replica has been ready for 5 minutes (or the Deployment is gone)",
            },
          },
        ],
      },
    ],
  },
  "TritonNotReady fires with zero ready replicas": {
    interval: "1m",
    input_series: [
      {
        series: 'kube_deployment_status_replicas_ready{namespace="triton",deployment="triton"}',
        values: "0x10",
      },
    ],
    alert_rule_test: [
      {
        eval_time: "10m",
        alertname: "TritonNotReady",
        exp_alerts: [
          {
            exp_labels: critical,
            exp_annotations: {
              summary: "No Triton replica has been ready for 5 minutes (or the Deployment is gone)",
            },
          },
        ],
      },
    ],
  },
  "TritonNotReady stays silent with ready replicas": {
    interval: "1m",
    input_series: [
      {
        series: 'kube_deployment_status_replicas_ready{namespace="triton",deployment="triton"}',
        values: "2x10",
      },
    ],
    alert_rule_test: [{ eval_time: "10m", alertname: "TritonNotReady", exp_alerts: [] }],
  },
  "a p99 queue time above 100 ms fires; a fast model stays silent": {
    interval: "1m",
    input_series: [
      {
        series:
          'nv_inference_queue_summary_us{quantile="0.99",namespace="triton",pod="p1",model="slow",version="1"}',
        values: "150000x10",
      },
      {
        series:
          'nv_inference_queue_summary_us{quantile="0.5",namespace="triton",pod="p1",model="slow",version="1"}',
        values: "150000x10",
      },
      {
        series:
          'nv_inference_queue_summary_us{quantile="0.99",namespace="triton",pod="p1",model="fast",version="1"}',
        values: "1000x10",
      },
    ],
    alert_rule_test: [
      {
        eval_time: "10m",
        alertname: "TritonQueueTimeP99High",
        exp_alerts: [
          {
            exp_labels: { ...warning, namespace: "triton", pod: "p1", model: "slow" },
            exp_annotations: { summary: "Model slow on p1: p99 queue time above 100 ms for 5 minutes" },
          },
        ],
      },
    ],
  },
  "a 10% failure rate fires; a model without failures, or without traffic, stays silent": {
    interval: "1m",
    input_series: [
      { series: 'nv_inference_request_failure{model="bad",version="1",pod="p1"}', values: "0+10x20" },
      { series: 'nv_inference_request_success{model="bad",version="1",pod="p1"}', values: "0+90x20" },
      { series: 'nv_inference_request_failure{model="good",version="1",pod="p1"}', values: "0x20" },
      { series: 'nv_inference_request_success{model="good",version="1",pod="p1"}', values: "0+100x20" },
      { series: 'nv_inference_request_failure{model="idle",version="1",pod="p1"}', values: "3x20" },
      { series: 'nv_inference_request_success{model="idle",version="1",pod="p1"}', values: "7x20" },
    ],
    alert_rule_test: [
      {
        eval_time: "15m",
        alertname: "TritonInferenceFailureRate",
        exp_alerts: [
          {
            exp_labels: { ...critical, model: "bad" },
            exp_annotations: {
              summary: "Model bad: more than 5% of inference requests failed over 5 minutes",
            },
          },
        ],
      },
    ],
  },
  "the recorded queue time per request is per pod, summed over its models, and 0 when idle": {
    interval: "10s",
    input_series: [
      {
        series: 'nv_inference_queue_duration_us{namespace="triton",pod="p1",model="a",version="1"}',
        values: "0+5000x30",
      },
      {
        series: 'nv_inference_request_success{namespace="triton",pod="p1",model="a",version="1"}',
        values: "0+10x30",
      },
      {
        series: 'nv_inference_queue_duration_us{namespace="triton",pod="p1",model="b",version="1"}',
        values: "0+1000x30",
      },
      {
        series: 'nv_inference_request_success{namespace="triton",pod="p1",model="b",version="1"}',
        values: "0+10x30",
      },
      {
        series: 'nv_inference_queue_duration_us{namespace="triton",pod="p2",model="a",version="1"}',
        values: "123456x30",
      },
      {
        series: 'nv_inference_request_success{namespace="triton",pod="p2",model="a",version="1"}',
        values: "42x30",
      },
    ],
    promql_expr_test: [
      {
        expr: "namespace_pod:nv_inference_queue_duration_us_per_request:30s",
        eval_time: "3m",
        exp_samples: [
          {
            labels:
              'namespace_pod:nv_inference_queue_duration_us_per_request:30s{namespace="triton",pod="p1"}',
            value: 300,
          },
          {
            labels:
              'namespace_pod:nv_inference_queue_duration_us_per_request:30s{namespace="triton",pod="p2"}',
            value: 0,
          },
        ],
      },
    ],
  },
};

async function promtool(args: string[]) {
  return execa("promtool", args, { cwd: dir, reject: false, all: true });
}

describe("alert and recording rules under the real promtool", () => {
  it("pass promtool check rules", async () => {
    const result = await promtool(["check", "rules", "recording.yml", "alerts.yml"]);
    expect(result.all, result.all).toContain("SUCCESS: 1 rules found");
    expect(result.all).toContain("SUCCESS: 8 rules found");
    expect(result.exitCode).toBe(0);
  });

  it("every alert rule has a unit test", () => {
    const tested = new Set(
      Object.values(groups).flatMap((g) => (g.alert_rule_test ?? []).map((t) => t.alertname)),
    );
    const defined = [...rendered.alertsYml.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(defined.length).toBe(8);
    expect(defined.filter((a) => !tested.has(a!))).toEqual([]);
  });

  for (const [name, group] of Object.entries(groups)) {
    it(name, async () => {
      const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}.test.yml`);
      await writeFile(
        file,
        stringify({ rule_files: ["recording.yml", "alerts.yml"], evaluation_interval: "1m", tests: [group] }),
      );
      const result = await promtool(["test", "rules", file]);
      expect(result.all, result.all).toContain("SUCCESS");
      expect(result.exitCode).toBe(0);
    });
  }

  it("a wrong expectation does fail under promtool (the tests can fail)", async () => {
    const file = path.join(dir, "wrong.test.yml");
    const group = groups["TritonNotReady stays silent with ready replicas"]!;
    await writeFile(
      file,
      stringify({
        rule_files: ["recording.yml", "alerts.yml"],
        evaluation_interval: "1m",
        tests: [
          {
            ...group,
            input_series: [
              {
                series: 'kube_deployment_status_replicas_ready{namespace="x",deployment="y"}',
                values: "1x10",
              },
            ],
          },
        ],
      }),
    );
    const result = await promtool(["test", "rules", file]);
    expect(result.exitCode).not.toBe(0);
    expect(result.all).toContain("TritonNotReady");
  });
});

describe("prometheus.yml and alertmanager.yml under the real tools", () => {
  it("the rendered prometheus.yml passes promtool check config (Kubernetes SD swapped for file SD)", async () => {
    const configDir = await tempDir("promconfig");
    const file = await forLoopback(rendered, configDir, { targets: {}, alertmanager: "127.0.0.1:9093" });
    const result = await execa("promtool", ["check", "config", file], { reject: false, all: true });
    expect(result.all, result.all).toContain("SUCCESS");
    expect(result.exitCode).toBe(0);
  });

  const receivers: Record<string, unknown> = {
    none: { type: "none" },
    webhook: { type: "webhook", url: "https://hooks.example.com/alerts?team=ml&x=1" },
    slack: { type: "slack", channel: "#ml-alerts" },
    sns: { type: "sns", topicArn: "arn:aws:sns:eu-west-1:123456789012:triton-alerts" },
  };
  for (const [kind, receiver] of Object.entries(receivers)) {
    it(`the ${kind} receiver's alertmanager.yml passes amtool check-config`, async () => {
      const { alertmanagerYml } = await renderMonitoring({ region: "eu-west-1", alerts: { receiver } });
      const amDir = await tempDir("am");
      const file = path.join(amDir, "alertmanager.yml");
      await writeFile(file, alertmanagerYml);
      const result = await execa("amtool", ["check-config", file], { reject: false, all: true });
      expect(result.all, result.all).toContain("SUCCESS");
      expect(result.exitCode).toBe(0);
    });
  }

  it("amtool does refuse a broken receiver (the check can fail)", async () => {
    const amDir = await tempDir("am-bad");
    const file = path.join(amDir, "alertmanager.yml");
    await writeFile(file, "route:\n  receiver: nobody\nreceivers:\n  - name: someone\n");
    const result = await execa("amtool", ["check-config", file], { reject: false, all: true });
    expect(result.exitCode).not.toBe(0);
  });
});

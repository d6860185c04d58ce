// The rendered monitoring config running for real on loopback: Debian's Prometheus scrapes a fake exporter
// serving Triton (names and labels from Triton's docs/user_guide/metrics.md) and kube-state-metrics
// series, evaluates the rendered recording and alert rules, and sends alerts to Debian's Alertmanager,
// which delivers them to a webhook receiver in this test. Two things differ from the cluster, on purpose and
// only here: `for:` is 0s and Alertmanager's group_wait is 1s, so the test does not wait five minutes (the
// `for:` durations are covered by the promtool unit tests), and scrapes/evaluations run every second.
import { once } from "node:events";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  forLoopback,
  freePort,
  type RunningProcess,
  renderMonitoring,
  startUntilReady,
  tempDir,
} from "../../test/support/monitoring.js";

/** Triton's cumulative counters; while `load` is on, 10 requests that each waited 2 ms arrive every 100 ms. */
const triton = { queueUs: 0, success: 0, load: false };
const QUEUE_US_PER_REQUEST = 2000;
let ticker: NodeJS.Timeout;

function exporterBody(): string {
  const l = 'model="identity",version="1"';
  return [
    "# TYPE nv_inference_queue_duration_us counter",
    `nv_inference_queue_duration_us{${l}} ${triton.queueUs}`,
    "# TYPE nv_inference_request_success counter",
    `nv_inference_request_success{${l}} ${triton.success}`,
    "# TYPE nv_inference_request_failure counter",
    `nv_inference_request_failure{${l}} 0`,
    // kube-state-metrics knows other Deployments but not triton/triton: it is gone.
    "# TYPE kube_deployment_status_replicas_ready gauge",
    'kube_deployment_status_replicas_ready{namespace="monitoring",deployment="prometheus"} 1',
    "",
  ].join("\n");
}

const received: Array<{ status: string; alerts: Array<{ labels: Record<string, string> }> }> = [];
const servers: Server[] = [];
const processes: RunningProcess[] = [];
let prometheusUrl: string;
let adapterQuery: string;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server = createServer(handler);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  servers.push(server);
  return (server.address() as { port: number }).port;
}

/** Fills the adapter's metricsQuery the way prometheus-adapter does for one pod of the triton namespace. */
function expandAdapterQuery(template: string, series: string, pod: string): string {
  return template
    .replaceAll("<<.Series>>", series)
    .replaceAll("<<.LabelMatchers>>", `namespace="triton",pod=~"${pod}"`)
    .replaceAll("<<.GroupBy>>", "pod");
}

async function query(
  expr: string,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; data: { result: [] }; error?: string };
  if (body.status !== "success") throw new Error(`query failed: ${body.error}`);
  return body.data.result;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  ticker = setInterval(() => {
    if (!triton.load) return;
    triton.success += 10;
    triton.queueUs += 10 * QUEUE_US_PER_REQUEST;
  }, 100);
  const exporterPort = await listen((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(exporterBody());
  });
  const webhookPort = await listen((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      received.push(JSON.parse(body));
      res.writeHead(200);
      res.end();
    });
  });

  const rendered = await renderMonitoring({
    alerts: { receiver: { type: "webhook", url: `http://127.0.0.1:${webhookPort}/hook` } },
  });
  adapterQuery = (
    parse(rendered.adapterConfigYaml) as { rules: Array<{ metricsQuery: string; seriesQuery: string }> }
  ).rules[0]!.metricsQuery;
  const series = /^'?([^{']+)\{/.exec(
    (parse(rendered.adapterConfigYaml) as { rules: Array<{ seriesQuery: string }> }).rules[0]!.seriesQuery,
  )![1]!;
  adapterQuery = expandAdapterQuery(adapterQuery, series, "triton-7c9f8d6b5-q2w4e");

  const dir = await tempDir("monitoring-live");
  const amConfig = parse(rendered.alertmanagerYml) as { route: Record<string, string> };
  amConfig.route.group_wait = "1s";
  amConfig.route.group_interval = "1s";
  await mkdir(path.join(dir, "am"), { recursive: true });
  await writeFile(path.join(dir, "am", "alertmanager.yml"), stringify(amConfig));
  const amPort = await freePort();
  processes.push(
    await startUntilReady(
      "prometheus-alertmanager",
      [
        `--config.file=${path.join(dir, "am", "alertmanager.yml")}`,
        `--storage.path=${path.join(dir, "am")}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        "--cluster.listen-address=",
      ],
      `http://127.0.0.1:${amPort}/-/ready`,
    ),
  );

  const fast = { ...rendered, alertsYml: rendered.alertsYml.replace(/for: \d+m/g, "for: 0s") };
  const tritonPod = {
    address: `127.0.0.1:${exporterPort}`,
    labels: {
      __meta_kubernetes_namespace: "triton",
      __meta_kubernetes_pod_name: "triton-7c9f8d6b5-q2w4e",
      __meta_kubernetes_pod_label_app_kubernetes_io_name: "triton",
      __meta_kubernetes_pod_container_port_number: "8002",
    },
  };
  // A second pod in the namespace that is not Triton: the relabel rules must drop it.
  const otherPod = {
    address: `127.0.0.1:${exporterPort}`,
    labels: {
      ...tritonPod.labels,
      __meta_kubernetes_pod_label_app_kubernetes_io_name: "sidecar",
      __meta_kubernetes_pod_name: "x",
    },
  };
  const file = await forLoopback(fast, dir, {
    targets: {
      triton: [tritonPod, otherPod],
      "kube-state-metrics": [{ address: `127.0.0.1:${exporterPort}`, labels: {} }],
    },
    alertmanager: `127.0.0.1:${amPort}`,
    scrapeInterval: "1s",
    evaluationInterval: "1s",
  });
  const promPort = await freePort();
  prometheusUrl = `http://127.0.0.1:${promPort}`;
  processes.push(
    await startUntilReady(
      "prometheus",
      [
        `--config.file=${file}`,
        `--storage.tsdb.path=${path.join(dir, "tsdb")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      `${prometheusUrl}/-/ready`,
    ),
  );
});

afterAll(async () => {
  clearInterval(ticker);
  for (const p of processes.reverse()) await p.stop();
  for (const s of servers) s.close();
});

describe("real Prometheus and Alertmanager with the rendered config", () => {
  it("the Triton job keeps only Triton's pod and labels it with namespace and pod", async () => {
    const up = await until(
      "the triton target to be scraped",
      async () => {
        const r = await query('up{job="triton"}');
        return r.length > 0 ? r : undefined;
      },
      20_000,
    );
    expect(up.map((s) => [s.metric.namespace, s.metric.pod, s.value[1]])).toEqual([
      ["triton", "triton-7c9f8d6b5-q2w4e", "1"],
    ]);
  });

  it("the adapter's query gives the queue time per request: it rises under load and falls back to 0", async () => {
    const value = async () => {
      const r = await query(adapterQuery);
      return r.length === 1 ? Number(r[0]!.value[1]) : undefined;
    };
    const idle = await until("an idle value", value, 20_000);
    expect(idle).toBe(0);
    triton.load = true;
    const loaded = await until(
      "the value under load",
      async () => {
        const v = await value();
        return v !== undefined && v > 0 ? v : undefined;
      },
      20_000,
    );
    // Both counters grow in step, so the ratio is the per-request queue time however the window falls.
    expect(loaded).toBeCloseTo(QUEUE_US_PER_REQUEST, 0);
    triton.load = false;
    const after = await until(
      "the value to fall back after the load stops",
      async () => {
        const v = await value();
        return v === 0 ? v : undefined;
      },
      60_000,
    );
    expect(after).toBe(0);
  });

  it("TritonNotReady (Deployment absent) reaches the webhook receiver through Alertmanager", async () => {
    const delivered = await until(
      "TritonNotReady at the receiver",
      async () =>
        received
          .flatMap((n) => n.alerts.map((a) => ({ status: n.status, labels: a.labels })))
          .find((a) => a.labels.alertname === "TritonNotReady"),
      40_000,
    );
    expect(delivered.status).toBe("firing");
    expect(delivered.labels).toMatchObject({
      severity: "critical",
      namespace: "triton",
      deployment: "triton",
    });
    // Nothing fired that should not have: Triton answers without failures and the queue is short.
    const names = new Set(received.flatMap((n) => n.alerts.map((a) => a.labels.alertname)));
    expect([...names].sort()).toEqual(["TritonNotReady"]);
  });
});

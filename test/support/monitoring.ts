// Real Prometheus, promtool, Alertmanager and amtool (Debian's prometheus and prometheus-alertmanager
// packages) run against the rendered monitoring config. Debian's Prometheus has no Kubernetes service
// discovery, so `forLoopback` swaps each kubernetes_sd_configs for file_sd_configs carrying the same
// __meta_kubernetes_* labels: the relabel rules stay the rendered ones.
import { spawn } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parse, stringify } from "yaml";
import { configSchema } from "../../src/config/schema.js";
import { loadTemplates, renderManifests, renderValues } from "../../src/k8s/render.js";

export interface RenderedMonitoring {
  prometheusYml: string;
  recordingYml: string;
  alertsYml: string;
  alertmanagerYml: string;
  adapterConfigYaml: string;
}

/** The monitoring files exactly as the workloads stage would apply them for this config. */
export async function renderMonitoring(config: unknown = {}): Promise<RenderedMonitoring> {
  const templates = await loadTemplates();
  const { values } = renderValues(configSchema.parse(config), {});
  const { objects } = renderManifests(templates, values);
  const data = (name: string) =>
    (
      objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === name) as {
        data: Record<string, string>;
      }
    ).data;
  const prometheus = data("prometheus-config");
  return {
    prometheusYml: prometheus["prometheus.yml"]!,
    recordingYml: prometheus["recording.yml"]!,
    alertsYml: prometheus["alerts.yml"]!,
    alertmanagerYml: data("alertmanager-config")["alertmanager.yml"]!,
    adapterConfigYaml: data("prometheus-adapter-config")["config.yaml"]!,
  };
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `triton-ops-${prefix}-`));
}

interface ScrapeConfig {
  job_name: string;
  scrape_interval?: string;
  kubernetes_sd_configs?: unknown;
  file_sd_configs?: unknown;
  static_configs?: unknown;
  relabel_configs?: unknown;
}

/**
 * The rendered prometheus.yml pointed at loopback: rule files from `dir`, Alertmanager at `alertmanager`,
 * each job's targets from `targets[job]` (file_sd with the given meta labels), and the given intervals.
 */
export async function forLoopback(
  rendered: RenderedMonitoring,
  dir: string,
  options: {
    targets: Record<string, Array<{ address: string; labels: Record<string, string> }>>;
    alertmanager?: string;
    scrapeInterval?: string;
    evaluationInterval?: string;
  },
): Promise<string> {
  const config = parse(rendered.prometheusYml) as {
    global: Record<string, string>;
    rule_files: string[];
    alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
    scrape_configs: ScrapeConfig[];
  };
  await writeFile(path.join(dir, "recording.yml"), rendered.recordingYml);
  await writeFile(path.join(dir, "alerts.yml"), rendered.alertsYml);
  config.rule_files = config.rule_files.map((f) => path.join(dir, path.basename(f)));
  if (options.scrapeInterval) config.global.scrape_interval = options.scrapeInterval;
  if (options.evaluationInterval) config.global.evaluation_interval = options.evaluationInterval;
  config.alerting.alertmanagers[0]!.static_configs[0]!.targets = options.alertmanager
    ? [options.alertmanager]
    : [];
  const jobs: ScrapeConfig[] = [];
  for (const job of config.scrape_configs) {
    const targets = options.targets[job.job_name] ?? [];
    const file = path.join(dir, `${job.job_name}.targets.json`);
    await writeFile(file, JSON.stringify(targets.map((t) => ({ targets: [t.address], labels: t.labels }))));
    const { kubernetes_sd_configs: _k, static_configs: _s, ...rest } = job;
    if (options.scrapeInterval) rest.scrape_interval = options.scrapeInterval;
    jobs.push({ ...rest, file_sd_configs: [{ files: [file] }] });
  }
  config.scrape_configs = jobs;
  const out = path.join(dir, "prometheus.yml");
  await writeFile(out, stringify(config));
  return out;
}

export interface RunningProcess {
  pid: number;
  stop(): Promise<void>;
  output(): string;
}

/** Starts a long-running binary and waits until `readyUrl` answers 200; stopped by its pid. */
export async function startUntilReady(
  bin: string,
  args: string[],
  readyUrl: string,
  timeoutMs = 30_000,
): Promise<RunningProcess> {
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      process.kill(child.pid, "SIGTERM");
      await exited;
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${bin} exited early:\n${log}`);
    try {
      const response = await fetch(readyUrl);
      if (response.ok) return { pid: child.pid!, stop, output: () => log };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`${bin} not ready at ${readyUrl} within ${timeoutMs} ms:\n${log}`);
}

export async function freePort(): Promise<number> {
  const { default: getPort } = await import("get-port");
  return getPort({ host: "127.0.0.1" });
}

// `triton-ops upgrade`: one minor version at a time, pre-checks shown together before anything changes,
// then the control plane and each node group in turn. Where it stands is read from AWS every time
// (versions and updates in progress), so an interrupted upgrade carries on when run again.
import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import type { AwsContext } from "../aws/clients.js";
import type { NodegroupFacts } from "../aws/eks-upgrade.js";
import { compareMinor, staleNotice, type VersionCatalog } from "../config/kubernetes-versions.js";
import { AbortError, ExternalError, messageOf, UserError } from "../errors.js";
import { writeFileAtomic } from "../fs-util.js";
import type { Io } from "../io/io.js";
import type { KubeClient } from "../k8s/types.js";
import { formatElapsed } from "../terraform/progress.js";
import { loadVersionCatalog, today } from "../versions/catalog.js";
import {
  chooseTarget,
  kubeletSkewCheck,
  type LabelSelector,
  type PdbFacts,
  type PodFacts,
  pdbBlockers,
  pdbCheck,
  surgeNodes,
  type UpgradeCheck,
} from "./rules.js";

export interface UpgradeStep {
  id: string;
  kind: "control-plane" | "nodegroup";
  name: string;
  from: string | undefined;
  to: string;
  status: "pending" | "in-progress" | "applied" | "skipped";
  reason?: string;
}

export interface UpgradeResult {
  cluster: string;
  from: string;
  to: string;
  versionSource: VersionCatalog["source"];
  dryRun: boolean;
  prechecks: UpgradeCheck[];
  steps: UpgradeStep[];
  /** The config file whose kubernetesVersion now says the target (so the next plan is clean). */
  configUpdated?: string;
}

export interface UpgradeOptions {
  to?: string;
  dryRun: boolean;
  yes: boolean;
}

export interface UpgradeContext {
  aws: AwsContext;
  io: Io;
  sandbox: boolean;
  cluster: string;
  configFile: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Opens the cluster's Kubernetes API; undefined with the reason when it cannot be reached. */
  kube: () => Promise<KubeClient>;
  kubeUnavailable: string | undefined;
}

const NODEGROUP_LABEL = "eks.amazonaws.com/nodegroup";
const SANDBOX_SKIP =
  "the sandbox's emulator has no UpdateClusterVersion or UpdateNodegroupVersion; run it against AWS";

export async function runUpgrade(c: UpgradeContext, options: UpgradeOptions): Promise<UpgradeResult> {
  const eks = await import("../aws/eks-upgrade.js");
  const { describeCluster } = await import("../aws/eks.js");
  const cluster = await describeCluster(c.aws, c.cluster);
  if (!cluster?.version) {
    throw new UserError(`No EKS cluster ${c.cluster} in ${c.aws.region}.`, {
      code: "upgrade.no-cluster",
      suggestion: "Apply the eks stage first (`triton-ops up --stage eks`), or check --region/--env.",
    });
  }
  const nodegroupNames = await eks.listNodegroups(c.aws, c.cluster);
  const nodegroups = await Promise.all(nodegroupNames.map((n) => eks.describeNodegroup(c.aws, c.cluster, n)));
  const catalog = await loadVersionCatalog(c.aws);
  const stale = staleNotice(catalog, today(c.env));
  if (stale) c.io.warn(stale);
  // An update already running (an interrupted upgrade) decides the target when none is asked for.
  const running = await eks.inProgressUpdates(c.aws, c.cluster);
  const runningTarget = running.find((u) => u.target)?.target;
  const target = chooseTarget(
    cluster.version,
    options.to ?? runningTarget,
    catalog,
    nodegroups.map((n) => n.version ?? cluster.version!),
  );

  const prechecks = await collectPrechecks(c, eks, target, nodegroups);
  const steps: UpgradeStep[] = [];
  if (compareMinor(cluster.version, target) < 0 || runningTarget === target) {
    steps.push({
      id: "control-plane",
      kind: "control-plane",
      name: c.cluster,
      from: cluster.version,
      to: target,
      status: runningTarget === target ? "in-progress" : "pending",
    });
  }
  for (const ng of nodegroups) {
    if (ng.version && compareMinor(ng.version, target) >= 0) continue;
    steps.push({
      id: `nodegroup:${ng.name}`,
      kind: "nodegroup",
      name: ng.name,
      from: ng.version,
      to: target,
      status: "pending",
    });
  }
  const result: UpgradeResult = {
    cluster: c.cluster,
    from: cluster.version,
    to: target,
    versionSource: catalog.source,
    dryRun: options.dryRun,
    prechecks,
    steps,
  };
  c.io.info(formatPrechecks(prechecks));
  if (options.dryRun || steps.length === 0) return result;
  if (c.sandbox) {
    for (const s of steps) Object.assign(s, { status: "skipped", reason: SANDBOX_SKIP });
    c.io.warn(`Sandbox: the pre-checks ran; the ${steps.length} step(s) are skipped: ${SANDBOX_SKIP}.`);
    return result;
  }
  const failed = prechecks.filter((p) => p.status === "fail");
  if (failed.length > 0) {
    throw new AbortError(
      `Upgrade not started: pre-check(s) failed: ${failed.map((f) => f.id).join(", ")}. Nothing was changed.`,
      { code: "upgrade.prechecks-failed" },
    );
  }
  c.io.info(formatSteps(steps));
  if (!options.yes) {
    if (!c.io.interactive) {
      throw new UserError("upgrade changes the cluster and there is no terminal to confirm it.", {
        code: "prompt.no-tty",
        suggestion: "Review with `triton-ops upgrade --dry-run`, then re-run with --yes.",
      });
    }
    if (!(await c.io.confirm(`Upgrade ${c.cluster} to Kubernetes ${target}?`, { default: false }))) {
      throw new AbortError("Upgrade declined. Nothing was changed.", { code: "aborted" });
    }
  }
  const pollMs = Number(c.env.TRITON_OPS_UPGRADE_POLL_MS ?? 30_000);
  for (const step of steps) {
    const progress = c.io.progress(step.id);
    const started = Date.now();
    const ng = step.kind === "nodegroup" ? step.name : undefined;
    const inFlight =
      step.status === "in-progress"
        ? running.find((u) => u.target === target)
        : (await eks.inProgressUpdates(c.aws, c.cluster, ng))[0];
    const updateId =
      inFlight?.id ??
      (ng
        ? await eks.updateNodegroupVersion(c.aws, c.cluster, ng, target)
        : await eks.updateClusterVersion(c.aws, c.cluster, target));
    progress.update(`${step.id}: ${inFlight ? "resuming update" : "update started"} ${updateId}`);
    for (;;) {
      const u = await eks.describeUpdate(c.aws, c.cluster, updateId, ng);
      if (u.status === "Successful") break;
      if (u.status === "Failed" || u.status === "Cancelled") {
        progress.done(`${step.id}: update ${updateId} ${u.status}`, "fail");
        throw new ExternalError(
          `EKS update ${updateId} of ${step.name} ${u.status}: ${u.errors.join("; ") || "no detail"}`,
          {
            code: "upgrade.update-failed",
            suggestion:
              "Fix the cause, then run `triton-ops upgrade` again: it carries on from where EKS is.",
          },
        );
      }
      progress.update(
        `${step.id}: ${step.from ?? "?"} -> ${target}, ${u.status} (${formatElapsed(Date.now() - started)})`,
      );
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    step.status = "applied";
    progress.done(
      `${step.id}: ${step.from ?? "?"} -> ${target} in ${formatElapsed(Date.now() - started)}`,
      "success",
    );
    if (step.kind === "control-plane" && c.configFile) {
      await writeKubernetesVersion(c.configFile, target);
      result.configUpdated = c.configFile;
    }
  }
  return result;
}

/** Sets kubernetesVersion in the config file, keeping its comments, so the next plan has no diff. */
export async function writeKubernetesVersion(file: string, version: string): Promise<void> {
  const doc = parseDocument(await readFile(file, "utf8"));
  doc.set("kubernetesVersion", version);
  await writeFileAtomic(file, doc.toString());
}

type EksUpgradeApi = typeof import("../aws/eks-upgrade.js");

async function collectPrechecks(
  c: UpgradeContext,
  eks: EksUpgradeApi,
  target: string,
  nodegroups: NodegroupFacts[],
): Promise<UpgradeCheck[]> {
  const guard = async (
    id: string,
    work: () => Promise<UpgradeCheck | UpgradeCheck[]>,
  ): Promise<UpgradeCheck[]> => {
    try {
      const out = await work();
      return Array.isArray(out) ? out : [out];
    } catch (error) {
      return [{ id, status: "unknown", summary: messageOf(error).split("\n")[0] ?? "failed" }];
    }
  };
  const groups = await Promise.all([
    guard("insights", async () => {
      const answer = await eks.listUpgradeInsights(c.aws, c.cluster);
      if (!answer.available) return { id: "insights", status: "unknown", summary: answer.reason };
      const bad = answer.insights.filter((i) => i.status === "ERROR" || i.status === "WARNING");
      return {
        id: "insights",
        status: answer.insights.some((i) => i.status === "ERROR") ? "fail" : bad.length > 0 ? "warn" : "pass",
        summary: `${answer.insights.length} EKS upgrade insight(s), ${bad.length} not passing`,
        ...(bad.length > 0 ? { details: bad.map((i) => `${i.status} ${i.name}: ${i.reason}`) } : {}),
      };
    }),
    guard("addons", async () => {
      const answer = await eks.addonCompatibility(c.aws, c.cluster, target);
      if (!answer.available) return { id: "addons", status: "unknown", summary: answer.reason };
      const stale = answer.addons.filter((a) => !a.compatibleVersions.includes(a.version));
      return {
        id: "addons",
        status: stale.length > 0 ? "warn" : "pass",
        summary:
          stale.length > 0
            ? `${stale.length} managed add-on(s) have no ${target} build at their current version: update them right after the control plane`
            : `${answer.addons.length} managed add-on(s) compatible with ${target}`,
        details: answer.addons.map(
          (a) =>
            `${a.name} ${a.version}${a.compatibleVersions.includes(a.version) ? " ok" : ` -> ${a.defaultForTarget ?? a.compatibleVersions[0] ?? "none"}`}`,
        ),
      };
    }),
    guard("kubernetes", () => kubeChecks(c, target, nodegroups)),
    guard("surge", () => surgeChecks(c, nodegroups)),
  ]);
  return groups.flat();
}

async function kubeChecks(
  c: UpgradeContext,
  target: string,
  nodegroups: NodegroupFacts[],
): Promise<UpgradeCheck[]> {
  if (c.kubeUnavailable) {
    return [
      { id: "kubelet-skew", status: "unknown", summary: c.kubeUnavailable },
      { id: "pdb-blockers", status: "unknown", summary: c.kubeUnavailable },
    ];
  }
  const kube = await c.kube();
  const [nodes, pods, pdbs] = await Promise.all([
    kube.listNodes(),
    kube.listPods(),
    kube.listByKind("policy/v1", "PodDisruptionBudget"),
  ]);
  const kubelets = nodes.map((n) => ({
    node: n.metadata?.name ?? "?",
    version: (n.status?.nodeInfo?.kubeletVersion ?? "").replace(/^v(\d+\.\d+).*$/, "$1"),
  }));
  const names = new Set(nodegroups.map((n) => n.name));
  const drained = new Set(
    nodes
      .filter((n) => names.has(n.metadata?.labels?.[NODEGROUP_LABEL] ?? ""))
      .map((n) => n.metadata?.name ?? ""),
  );
  const podFacts: PodFacts[] = pods.map((p) => ({
    namespace: p.metadata?.namespace ?? "default",
    name: p.metadata?.name ?? "?",
    labels: p.metadata?.labels ?? {},
    node: p.spec?.nodeName,
    phase: p.status?.phase,
  }));
  const pdbFacts: PdbFacts[] = pdbs.map((o) => {
    const obj = o as {
      metadata?: { namespace?: string; name?: string };
      spec?: { selector?: LabelSelector };
      status?: { disruptionsAllowed?: number };
    };
    return {
      namespace: obj.metadata?.namespace ?? "default",
      name: obj.metadata?.name ?? "?",
      ...(obj.spec?.selector ? { selector: obj.spec.selector } : {}),
      disruptionsAllowed: obj.status?.disruptionsAllowed,
    };
  });
  // Nodes not labelled with a node group (not managed) are not drained by EKS; without labels at all, all count.
  return [
    kubeletSkewCheck(target, kubelets),
    pdbCheck(pdbBlockers(pdbFacts, podFacts, drained.size > 0 ? drained : undefined)),
  ];
}

async function surgeChecks(c: UpgradeContext, nodegroups: NodegroupFacts[]): Promise<UpgradeCheck[]> {
  const [
    { instanceVcpus, quotaValue, availableZones, instanceTypeOfferings },
    { GPU_QUOTAS, gpuVcpuNeed },
    { bundledPrices },
  ] = await Promise.all([
    import("../aws/preflight-facts.js"),
    import("../doctor/preflight.js"),
    import("../cost/prices.js"),
  ]);
  // The one price model's book for the cluster's region (bundled list prices, dated in its label).
  const book = bundledPrices(c.aws.region);
  const checks: UpgradeCheck[] = [];
  const zones = await availableZones(c.aws).catch(() => [] as string[]);
  for (const ng of nodegroups) {
    const extra = surgeNodes(
      ng.subnets.length,
      ng.maxUnavailable,
      ng.maxUnavailablePercentage,
      ng.desiredSize,
    );
    const unavailable = ng.maxUnavailable ?? 1;
    const gpu = ng.instanceTypes.filter((t) => /^(g|p)\d/.test(t));
    const details = [
      `max_unavailable ${ng.maxUnavailable ?? `${ng.maxUnavailablePercentage ?? "?"}%`}, ${ng.desiredSize} node(s) now: up to ${extra} extra ${ng.instanceTypes.join("/")} node(s) during the roll`,
    ];
    let status: UpgradeCheck["status"] = "pass";
    if (gpu.length > 0) {
      const vcpus = await instanceVcpus(c.aws, gpu);
      for (const { cls, need } of gpuVcpuNeed(gpu, vcpus, ng.desiredSize + extra)) {
        const code = GPU_QUOTAS[cls].ON_DEMAND;
        const quota = await quotaValue(c.aws, "ec2", code);
        if (quota === "unknown") {
          status = "warn";
          details.push(
            `${GPU_QUOTAS[cls].label} vCPU quota unknown; the roll needs ${need} vCPUs (quota ${code})`,
          );
        } else if (quota < need) {
          status = "fail";
          details.push(
            `${GPU_QUOTAS[cls].label} vCPU quota ${quota} < ${need} the roll needs (quota ${code})`,
          );
        } else details.push(`${GPU_QUOTAS[cls].label} vCPU quota ${quota} covers the ${need} the roll needs`);
      }
      if (zones.length > 0) {
        const offered = await instanceTypeOfferings(c.aws, gpu, zones);
        const none = gpu.filter((t) => (offered.get(t) ?? []).length === 0);
        if (none.length > 0) {
          status = "fail";
          details.push(`not offered in ${zones.join(", ")}: ${none.join(", ")}`);
        } else
          details.push(`offered in ${[...new Set(gpu.flatMap((t) => offered.get(t) ?? []))].join(", ")}`);
      }
      status = status === "pass" ? "warn" : status; // extra GPU nodes are always worth saying out loud
    }
    checks.push({
      id: `surge:${ng.name}`,
      status,
      summary: `${ng.name}: up to ${extra} surge node(s)`,
      details,
    });
    // Cost while it lasts: each batch of max_unavailable nodes takes roughly 10 minutes to replace.
    const hours = Math.max(0.5, Math.ceil(ng.desiredSize / Math.max(unavailable, 1)) * (10 / 60));
    const hourly = Math.max(...ng.instanceTypes.map((t) => book.instanceHour[t] ?? 0), 0);
    checks.push({
      id: `surge-cost:${ng.name}`,
      status: "pass",
      summary:
        hourly > 0
          ? `${ng.name}: about $${(extra * hourly * hours).toFixed(2)} for ${extra} surge node(s) over about ${hours.toFixed(1)} h (estimate: on-demand list price in ${book.region} of ${book.asOf})`
          : `${ng.name}: surge cost unknown (no price for ${ng.instanceTypes.join(", ")})`,
    });
  }
  return checks;
}

const MARK: Record<UpgradeCheck["status"], string> = {
  pass: "pass",
  warn: "warn",
  fail: "FAIL",
  unknown: "unknown",
};

export function formatPrechecks(checks: readonly UpgradeCheck[]): string {
  const lines = ["Pre-checks:"];
  for (const c of checks) {
    lines.push(`  ${MARK[c.status].padEnd(7)} ${c.id.padEnd(26)} ${c.summary}`);
    for (const d of c.details ?? []) lines.push(`          ${d}`);
  }
  return lines.join("\n");
}

export function formatSteps(steps: readonly UpgradeStep[]): string {
  if (steps.length === 0) return "Steps: none (everything is at the target version).";
  return [
    "Steps, in order:",
    ...steps.map(
      (s, i) =>
        `  ${i + 1}. ${s.kind === "control-plane" ? "control plane" : "node group"} ${s.name}: ${s.from ?? "?"} -> ${s.to}  [${s.status}]${s.reason ? ` (${s.reason})` : ""}`,
    ),
  ].join("\n");
}

export function formatUpgradeResult(r: UpgradeResult): string {
  const head = `${r.cluster}: Kubernetes ${r.from} -> ${r.to} (versions from ${r.versionSource === "aws" ? "EKS" : "the bundled table"})${r.dryRun ? ", dry run: nothing was changed" : ""}`;
  const tail = r.configUpdated ? [`kubernetesVersion in ${r.configUpdated} is now ${r.to}.`] : [];
  return [head, formatSteps(r.steps), ...tail].join("\n");
}

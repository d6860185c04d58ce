// `triton-ops verify`: collectors for each check over the target (project or current context), run
// concurrently by runChecks; the rules live in checks.ts.

import { autoScalingGroupTags } from "../aws/autoscaling.js";
import { orAwsError } from "../aws/clients.js";
import { describeVpcs } from "../aws/ec2.js";
import { describeRepository } from "../aws/ecr.js";
import { listImageIds } from "../aws/ecr-images.js";
import { describeCluster, nodeGroupAmiTypes } from "../aws/eks.js";
import { accountAllowed, getCallerIdentity } from "../aws/identity.js";
import type { Io } from "../io/io.js";
import { gpuNodeMatch, nodeGroupOf } from "../k8s/gpu-node.js";
import type { KubeClient, V1Pod } from "../k8s/types.js";
import { outputOf } from "../stages.js";
import type { Target } from "../targets.js";
import {
  autoscalingVerdict,
  CHECK_IDS,
  type CheckDefinition,
  type CheckResult,
  gpuVerdict,
  nodesVerdict,
  nodeTemplateVerdict,
  podsVerdict,
  runChecks,
  targetsVerdict,
  type Verdict,
  vpcVerdict,
} from "./checks.js";

export interface VerifyResult {
  ok: boolean;
  checks: CheckResult[];
}

export interface VerifyOptions {
  timeoutMs: number;
  /** Run only these checks (and what they need). */
  only?: readonly string[];
  /** false (--no-infer) skips triton.infer. */
  infer?: boolean;
}

function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= fn();
    return promise;
  };
}

function skip(summary: string): Verdict {
  return { status: "skip", summary };
}

export function verifyDefinitions(target: Target, options: { infer?: boolean } = {}): CheckDefinition[] {
  const { names } = target;
  const kube = memo(() => target.connectKube());
  const nodes = memo(async () => (await kube()).listNodes());
  // Read once for pods.running and for triton.models' replicas.
  const tritonPods = memo(async () => (await kube()).listPods({ namespace: names.tritonNamespace }));
  const identity = memo(() => getCallerIdentity(target.aws));
  const kubeSkip = target.kubeUnavailable;

  const withKube =
    <T>(fn: (client: KubeClient) => Promise<T>) =>
    async () =>
      fn(await kube());

  return [
    {
      id: "aws.identity",
      needs: [],
      async run() {
        const who = await identity();
        if (!accountAllowed(who.account, target.allowedAccountIds)) {
          return {
            status: "fail",
            summary: `account ${who.account} is not in allowedAccountIds (${target.allowedAccountIds.join(", ")})`,
            hint: "Switch AWS_PROFILE to the project's account.",
          };
        }
        return { status: "pass", summary: `${who.arn} in account ${who.account}` };
      },
    },
    {
      id: "cluster.exists",
      needs: ["aws.identity"],
      async run() {
        if (!names.cluster) return skip("no cluster name: pass --cluster NAME (no project config here)");
        const cluster = await orAwsError(
          `describe EKS cluster ${names.cluster}`,
          describeCluster(target.aws, names.cluster),
        );
        if (!cluster) {
          return {
            status: "fail",
            summary: `EKS cluster ${names.cluster} does not exist in ${target.region}`,
            hint: target.project
              ? "Create it with `triton-ops up --stage eks`."
              : "Check --cluster and --region.",
          };
        }
        if (cluster.status !== "ACTIVE") {
          return { status: "fail", summary: `EKS cluster ${names.cluster} is ${cluster.status}, not ACTIVE` };
        }
        return {
          status: "pass",
          summary: `EKS cluster ${names.cluster} is ACTIVE (Kubernetes ${cluster.version ?? "?"})`,
        };
      },
    },
    {
      id: "kubeconfig.works",
      needs: [],
      async run() {
        if (kubeSkip) return skip(`Kubernetes not checked: ${kubeSkip}`);
        const client = await kube();
        const version = await client.version();
        return { status: "pass", summary: `API server ${client.server} answers, ${version.gitVersion}` };
      },
    },
    {
      id: "nodes.ready",
      needs: ["kubeconfig.works"],
      async run() {
        const expected = target.config
          ? target.config.gpu.desiredSize +
            (target.config.systemNodes.enabled ? target.config.systemNodes.size : 0)
          : undefined;
        return nodesVerdict(await nodes(), expected);
      },
    },
    {
      id: "gpu.visible",
      needs: ["kubeconfig.works"],
      async run() {
        const all = await nodes();
        // EKS is asked for the node groups' AMI types only when the Node objects alone show no GPU node
        // and some node belongs to a node group: a healthy cluster is decided without an AWS call, and
        // the last signal can still find a GPU node whose labels and device plugin are both missing.
        const needAmiTypes = !all.some((n) => gpuNodeMatch(n)) && all.some((n) => nodeGroupOf(n));
        if (!needAmiTypes || !names.cluster) return gpuVerdict(all);
        let amiTypes: Map<string, string> | undefined;
        let unread: string | undefined;
        try {
          amiTypes = await nodeGroupAmiTypes(target.aws, names.cluster);
        } catch (error) {
          unread = `node group AMI types not read: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
        }
        const verdict = gpuVerdict(all, amiTypes);
        return unread ? { ...verdict, details: [...(verdict.details ?? []), unread] } : verdict;
      },
    },
    {
      id: "pods.running",
      needs: ["kubeconfig.works"],
      run: withKube(async (client) => {
        const namespaces = [names.tritonNamespace, names.monitoringNamespace];
        const pods: V1Pod[] = (
          await Promise.all([tritonPods(), client.listPods({ namespace: names.monitoringNamespace })])
        ).flat();
        return podsVerdict(pods, namespaces);
      }),
    },
    {
      id: "triton.ready",
      needs: ["kubeconfig.works"],
      run: withKube(async (client) => {
        const answer = await client.proxyGet(names.tritonNamespace, "triton", 8000, "/v2/health/ready");
        if (answer.status === 200)
          return { status: "pass", summary: "Triton answers /v2/health/ready with 200" };
        const body = answer.body.replace(/\s+/g, " ").trim().slice(0, 160);
        return {
          status: "fail",
          summary: `Triton service ${names.tritonNamespace}/triton answers /v2/health/ready with ${answer.status}${body ? `: ${body}` : ""}`,
          hint: "Models may still be loading; look at the triton pods' logs (`kubectl -n triton logs deploy/triton`).",
        };
      }),
    },
    {
      id: "triton.models",
      needs: ["triton.ready"],
      run: withKube(async (client) => {
        // An empty Triton passes /v2/health/ready; this proves the repository's models are loaded, on every
        // ready replica: in explicit mode a replica started after the last `models load` has none loaded,
        // and the Service sends it a share of the requests.
        const { modelsStatusAll, servingTransports } = await import("../models/triton.js");
        const status = await modelsStatusAll(
          await servingTransports(client, names.tritonNamespace, await tritonPods()),
        );
        if (status.models.length === 0) {
          return {
            status: "fail",
            summary: "Triton's model repository is empty",
            hint: "Put the models there: `triton-ops models sync DIR` (and `models load NAME` in explicit mode).",
          };
        }
        const notReady = status.models.filter((m) => !m.ready);
        if (notReady.length === 0) {
          return {
            status: "pass",
            summary: `${status.models.length} model(s) READY${status.replicas ? ` on all ${status.replicas.length} replicas` : ""}: ${status.models.map((m) => m.name).join(", ")}`,
          };
        }
        return {
          status: "fail",
          summary: `${notReady.length} of ${status.models.length} model(s) not ready: ${notReady.map((m) => m.name).join(", ")}`,
          details: notReady.map((m) => `${m.name}: ${m.state}${m.reason ? ` (${m.reason})` : ""}`),
          hint: "Load them with `triton-ops models load NAME` (explicit mode), or check `triton-ops models lint` and the pod logs.",
        };
      }),
    },
    {
      id: "triton.infer",
      needs: ["triton.ready"],
      run: withKube(async (client) => {
        if (options.infer === false) return skip("skipped by --no-infer");
        const { proxyTransport, modelsStatus, inferOnce } = await import("../models/triton.js");
        const transport = proxyTransport(client, names.tritonNamespace);
        const ready = (await modelsStatus(transport)).models.filter((m) => m.ready);
        if (ready.length === 0) return skip("no READY model to send an inference to");
        const results = await Promise.all(ready.map((m) => inferOnce(transport, m.name)));
        const failed = results.filter((r) => !r.ok);
        const details = results.map(
          (r) =>
            `${r.model}: ${r.ok ? `answered in ${r.latencyMs} ms` : `${r.status}, ${r.problems.join("; ")}`}`,
        );
        if (failed.length === 0) {
          return {
            status: "pass",
            summary: `one inference per ready model answered (${results.length})`,
            details: [],
          };
        }
        return {
          status: "fail",
          summary: `inference failed for ${failed.map((r) => r.model).join(", ")}`,
          details,
          hint: "Try it by hand: `triton-ops models infer NAME`.",
        };
      }),
    },
    {
      id: "ecr.images",
      needs: ["aws.identity"],
      async run() {
        if (!names.ecrRepository || !names.imageTag) return skip(`not checked: ${target.projectMissing}`);
        const repository = names.ecrRepository;
        const found = await orAwsError(
          `describe ECR repository ${repository}`,
          describeRepository(target.aws, repository),
        );
        if (!found) {
          return {
            status: "fail",
            summary: `ECR repository ${repository} does not exist`,
            hint: "Create it with `triton-ops up --stage ecr`.",
          };
        }
        const ids = await listImageIds(target.aws, repository);
        if (!ids.some((id) => id.imageTag === names.imageTag)) {
          return {
            status: "fail",
            summary: `ECR repository ${repository} has no image tagged ${names.imageTag} (${ids.length} images)`,
            hint: "Push it (the CI workflow does), or set triton.imageTag to a tag that exists.",
          };
        }
        return { status: "pass", summary: `${repository}:${names.imageTag} is in ECR` };
      },
    },
    {
      id: "vpc.no-orphans",
      needs: ["aws.identity"],
      async run() {
        if (!names.projectTags) return skip(`not checked: ${target.projectMissing}`);
        const tagged = await orAwsError(
          "list the project's VPCs",
          describeVpcs(target.aws, {
            tags: { Project: names.projectTags.Project, Environment: names.projectTags.Environment },
          }),
        );
        const inState = outputOf<string>(target.outputs, "vpc", "vpc_id");
        return vpcVerdict(
          tagged.map((v) => ({ id: v.id, ...(v.name ? { name: v.name } : {}) })),
          inState ? [inState] : [],
        );
      },
    },
    {
      id: "monitoring.targets",
      needs: ["kubeconfig.works"],
      run: withKube(async (client) => {
        const answer = await client.proxyGet(
          names.monitoringNamespace,
          "prometheus",
          9090,
          "/api/v1/targets",
        );
        if (answer.status !== 200) {
          return {
            status: "fail",
            summary: `Prometheus (${names.monitoringNamespace}/prometheus:9090) answers /api/v1/targets with ${answer.status}`,
            hint: "Check the prometheus pod in the monitoring namespace.",
          };
        }
        return targetsVerdict(answer.body);
      }),
    },
    {
      id: "autoscaling.ready",
      needs: ["kubeconfig.works"],
      run: withKube(async (client) => {
        const [autoscaler, hpa] = await Promise.all([
          client.read("apps/v1", "Deployment", "cluster-autoscaler", "kube-system"),
          client.read("autoscaling/v2", "HorizontalPodAutoscaler", "triton", names.tritonNamespace),
        ]);
        return autoscalingVerdict(
          autoscaler as Parameters<typeof autoscalingVerdict>[0],
          hpa as Parameters<typeof autoscalingVerdict>[1],
          target.config?.triton.hpaMaxReplicas !== undefined,
        );
      }),
    },
    {
      id: "autoscaling.node-template",
      needs: ["aws.identity"],
      async run() {
        if (!target.config) return skip(`not checked: ${target.projectMissing}`);
        if (target.config.sandbox) {
          return skip(
            "the emulator creates no Auto Scaling group behind an EKS node group, so the GPU group's node-template tags are not checked (they are on AWS)",
          );
        }
        const expected = outputOf<Record<string, string>>(
          target.outputs,
          "gpu-nodes",
          "gpu_node_template_tags",
        );
        if (!expected) return skip("the gpu-nodes stage is not applied");
        if (Object.keys(expected).length === 0)
          return skip("node-template tags are off (enable_autoscaler_tags)");
        const group = outputOf<string>(target.outputs, "gpu-nodes", "gpu_autoscaling_group_name");
        if (!group) {
          return {
            status: "fail",
            summary: "EKS reports no Auto Scaling group behind the GPU node group",
            hint: "Check the node group: `aws eks describe-nodegroup`.",
          };
        }
        const tags = await orAwsError(
          `describe Auto Scaling group ${group}`,
          autoScalingGroupTags(target.aws, [group]),
        );
        return nodeTemplateVerdict(group, expected, tags.get(group));
      },
    },
  ];
}

/** Pure: the checks to run for --only (with what they need), in the canonical order. */
export function selectChecks(
  definitions: CheckDefinition[],
  only: readonly string[] | undefined,
): CheckDefinition[] {
  if (!only || only.length === 0) return definitions;
  const byId = new Map(definitions.map((d) => [d.id, d]));
  const wanted = new Set<string>();
  const add = (id: string) => {
    if (wanted.has(id)) return;
    wanted.add(id);
    for (const need of byId.get(id)?.needs ?? []) add(need);
  };
  for (const id of only) add(id);
  return definitions.filter((d) => wanted.has(d.id));
}

export async function runVerify(target: Target, options: VerifyOptions): Promise<VerifyResult> {
  const definitions = selectChecks(verifyDefinitions(target, options), options.only);
  const checks = await runChecks(definitions, options.timeoutMs);
  return { ok: checks.every((c) => c.status !== "fail"), checks };
}

export { CHECK_IDS };

const MARKS = { pass: "✔", fail: "✖", warn: "!", skip: "-" } as const;

/** Pure: the human report, a table with marks, then details and hints of what is not passing. */
export function formatVerify(result: VerifyResult, io: Pick<Io, "table" | "style">): string {
  const { style } = io;
  const mark = (status: CheckResult["status"]) =>
    status === "pass"
      ? style.green(MARKS.pass)
      : status === "fail"
        ? style.red(MARKS.fail)
        : status === "warn"
          ? style.yellow(MARKS.warn)
          : style.dim(MARKS.skip);
  const table = io.table(
    [{ header: "" }, { header: "check" }, { header: "result" }],
    result.checks.map((c) => [mark(c.status), c.id, c.summary]),
  );
  const notes: string[] = [];
  for (const check of result.checks) {
    if (check.status === "pass" || (check.details.length === 0 && !check.hint)) continue;
    notes.push(`${mark(check.status)} ${check.id}`);
    for (const detail of check.details) notes.push(`    ${detail}`);
    if (check.hint) notes.push(`    ${style.dim(`hint: ${check.hint}`)}`);
  }
  const counts = (["pass", "warn", "fail", "skip"] as const)
    .map((s) => [s, result.checks.filter((c) => c.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(
      ([s, n]) =>
        `${n} ${s === "pass" ? "passed" : s === "fail" ? "failed" : s === "warn" ? "warned" : "skipped"}`,
    );
  const verdict = result.ok
    ? style.green(`verify: ${counts.join(", ")}`)
    : style.red(`verify: ${counts.join(", ")}`);
  return [table, ...(notes.length > 0 ? ["", ...notes] : []), "", verdict].join("\n");
}

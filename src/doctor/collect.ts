import { type VersionCatalog, versionSupport } from "../config/kubernetes-versions.js";
import { messageOf, TritonOpsError } from "../errors.js";
import { gpuNodeMatch, nodeGroupOf } from "../k8s/gpu-node.js";
import type { KubeClient } from "../k8s/types.js";
import type { TerraformStage } from "../stages.js";
import type { StackState } from "../terraform/state.js";
import type { DoctorAws, PlannedCreate } from "./aws.js";
import { classifyPullError, parseImageRef, requestedVersion } from "./parse.js";
import {
  type AwsFacts,
  type ClusterSnapshot,
  type EcrImageFact,
  type Fact,
  indexEvents,
  isKnown,
  type KubeSnapshot,
  type KubeUnreachable,
  type StackSummary,
} from "./snapshot.js";

export interface CollectDeps {
  /** Opens the Kubernetes client; may throw (no kubeconfig, the sandbox has no API). */
  connectKube(): Promise<KubeClient>;
  aws: DoctorAws;
  region: string;
  /** Terraform state of each stack, when there is a project. */
  readStacks?: () => Promise<Partial<Record<TerraformStage, StackState>>>;
  /** What the next plan would create given the states (needs the project's config). */
  plannedCreates?: (states: Partial<Record<TerraformStage, StackState>>) => PlannedCreate[];
  project?: ClusterSnapshot["project"];
  /** Subnets the project's vpc stack made (private_subnet_ids). */
  projectSubnets?: string[];
  now?: () => Date;
  /** The EKS version calendar (DescribeClusterVersions, else the bundled table). */
  versionCatalog?: () => Promise<VersionCatalog>;
}

const PAGE_SIZE = 500;

/**
 * Builds the snapshot: the Kubernetes lists once, concurrently and paged, with Terraform state beside
 * them; then AWS facts only for the symptoms seen. Never one API call per Kubernetes object.
 */
export async function collectSnapshot(deps: CollectDeps): Promise<ClusterSnapshot> {
  const collectedAt = (deps.now?.() ?? new Date()).toISOString();
  const clusterName = deps.project?.clusterName;
  const [kubernetes, states, cluster] = await Promise.all([
    collectKube(deps),
    deps.readStacks?.(),
    clusterName ? deps.aws.describeCluster(clusterName) : Promise.resolve(undefined),
  ]);
  const reachable = !("unreachable" in kubernetes);
  const k = reachable ? (kubernetes as KubeSnapshot) : undefined;
  const symptoms = k ? symptomsOf(k) : undefined;
  const aws: AwsFacts = { region: deps.region, ...(cluster !== undefined ? { cluster } : {}) };
  const clusterGone = isKnown(cluster) && !cluster.exists;
  if (isKnown(cluster) && cluster.version && deps.versionCatalog) {
    aws.versionSupport = versionSupport(
      await deps.versionCatalog(),
      cluster.version,
      collectedAt.slice(0, 10),
    );
  }

  const work: Array<Promise<void>> = [];
  // Node groups: when nodes are missing or unhealthy, pods cannot be placed, the API cannot be read, or
  // only a node group's AMI type can still tell a GPU node.
  const needNodeGroups =
    clusterName !== undefined &&
    !clusterGone &&
    (!k ||
      k.nodes.length === 0 ||
      symptoms?.notReady ||
      symptoms?.unscheduled ||
      symptoms?.pullUnauthorized ||
      symptoms?.gpuUndecided);
  let nodeGroups: Promise<AwsFacts["nodeGroups"]> | undefined;
  if (needNodeGroups && clusterName) {
    nodeGroups = deps.aws.nodeGroups(clusterName);
    work.push(
      nodeGroups.then((g) => {
        aws.nodeGroups = g;
      }),
    );
  }
  if (symptoms && symptoms.ecrPulls.length > 0) {
    work.push(
      Promise.all(
        symptoms.ecrPulls.map(async (image) => {
          const ref = parseImageRef(image);
          if (!ref?.ecr) return [image, "unknown"] as const;
          const fact = await deps.aws.ecrImage(
            image,
            ref.repository,
            ref.ecr.accountId,
            ref.ecr.region,
            requestedVersion(ref),
          );
          return [image, fact] as const;
        }),
      ).then((pairs) => {
        const images: Record<string, Fact<EcrImageFact>> = {};
        for (const [image, fact] of pairs) images[image] = fact;
        aws.ecrImages = images;
      }),
    );
  }
  if (symptoms?.pullUnauthorized) {
    work.push(
      (async () => {
        let role = deps.project?.nodeRoleName;
        if (!role && nodeGroups) {
          const groups = await nodeGroups;
          const arn = isKnown(groups) ? groups.find((g) => g.nodeRoleArn)?.nodeRoleArn : undefined;
          role = arn?.split("/").at(-1);
        }
        if (role) aws.nodeRole = await deps.aws.rolePolicies(role);
      })(),
    );
  }
  if (symptoms?.noIp) {
    const ids = deps.projectSubnets?.length
      ? deps.projectSubnets
      : isKnown(cluster)
        ? (cluster.subnetIds ?? [])
        : [];
    work.push(
      deps.aws.subnets(ids).then((s) => {
        aws.subnets = s;
      }),
    );
  }
  if (deps.plannedCreates && states) {
    const creates = deps.plannedCreates(states);
    work.push(
      deps.aws.existingOutsideState(creates).then((e) => {
        aws.existingOutsideState = e;
      }),
    );
  }
  await Promise.all(work);

  return {
    collectedAt,
    kubernetes,
    ...(states ? { stacks: summarizeStacks(states) } : {}),
    aws,
    ...(deps.project ? { project: deps.project } : {}),
  };
}

async function collectKube(deps: CollectDeps): Promise<KubeSnapshot | { unreachable: KubeUnreachable }> {
  let client: KubeClient | undefined;
  try {
    client = await deps.connectKube();
    const page = { pageSize: PAGE_SIZE };
    const [version, nodes, pods, events, daemonSets, pvcs] = await Promise.all([
      client.version().then(
        (v) => `${v.major}.${String(v.minor).replace(/\D+$/, "")}`,
        () => "unknown" as const,
      ),
      client.listNodes(page),
      client.listPods(page),
      client.listEvents(page),
      client.listDaemonSets(page),
      client.listPersistentVolumeClaims(page),
    ]);
    return {
      server: client.server,
      controlPlaneVersion: version,
      nodes,
      pods,
      events: indexEvents(events),
      daemonSets,
      pvcs,
    };
  } catch (error) {
    // One finding for the whole API, whichever call failed first: no cascade of per-object errors.
    const own = error instanceof TritonOpsError ? error.code : undefined;
    const code = own?.startsWith("k8s.") ? own : "k8s.unreachable";
    const known = ["k8s.unreachable", "k8s.tls", "k8s.unauthorized", "k8s.forbidden"];
    return {
      unreachable: {
        code: known.includes(code) ? code : "k8s.error",
        server: client?.server ?? "",
        message: messageOf(error),
        ...(own && !own.startsWith("k8s.") ? { origin: own } : {}),
        ...(error instanceof TritonOpsError && error.suggestion ? { suggestion: error.suggestion } : {}),
      },
    };
  }
}

interface Symptoms {
  notReady: boolean;
  unscheduled: boolean;
  pullUnauthorized: boolean;
  noIp: boolean;
  /** No node is a GPU node by its own labels and capacity, but some belong to node groups. */
  gpuUndecided: boolean;
  /** ECR images some pod fails to pull. */
  ecrPulls: string[];
}

/** Pure: what in the cluster asks for AWS facts. */
export function symptomsOf(k: KubeSnapshot): Symptoms {
  const notReady = k.nodes.some((n) =>
    (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status !== "True"),
  );
  let unscheduled = false;
  let pullUnauthorized = false;
  const ecrPulls = new Set<string>();
  for (const pod of k.pods) {
    if (pod.status?.phase === "Pending" && !pod.spec?.nodeName) unscheduled = true;
    for (const cs of [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ]) {
      const w = cs.state?.waiting;
      if (!w || !/^(ErrImagePull|ImagePullBackOff)$/.test(w.reason ?? "")) continue;
      const image = cs.image ?? "";
      if (parseImageRef(image)?.ecr) {
        ecrPulls.add(image);
        const events = k.events[`Pod/${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`] ?? [];
        const text = [
          w.message ?? "",
          ...events.filter((e) => e.reason === "Failed").map((e) => e.message ?? ""),
        ].join("\n");
        const kind = classifyPullError(w.reason, text);
        if (kind === "unauthorized" || kind === "not-found") pullUnauthorized = true;
      }
    }
  }
  const noIp = Object.values(k.events).some((list) =>
    list.some(
      (e) => e.reason === "FailedCreatePodSandBox" && /failed to assign an IP address/i.test(e.message ?? ""),
    ),
  );
  const gpuUndecided = !k.nodes.some((n) => gpuNodeMatch(n)) && k.nodes.some((n) => nodeGroupOf(n));
  return { notReady, unscheduled, pullUnauthorized, noIp, gpuUndecided, ecrPulls: [...ecrPulls] };
}

function summarizeStacks(
  states: Partial<Record<TerraformStage, StackState>>,
): Partial<Record<TerraformStage, StackSummary>> {
  const out: Partial<Record<TerraformStage, StackSummary>> = {};
  for (const [stage, state] of Object.entries(states) as Array<[TerraformStage, StackState]>) {
    out[stage] = {
      outputs: state.outputs,
      resources: state.resources.map((r) => {
        const name = r.attributes.name;
        return {
          address: r.address,
          type: r.type,
          ...(r.id ? { id: r.id } : {}),
          ...(typeof name === "string" ? { name } : {}),
        };
      }),
    };
  }
  return out;
}

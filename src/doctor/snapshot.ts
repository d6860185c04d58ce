import type {
  CoreV1Event,
  V1DaemonSet,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
} from "@kubernetes/client-node";
import type { VersionSupport } from "../config/kubernetes-versions.js";
import type { TerraformStage } from "../stages.js";

/**
 * Everything doctor's rules look at, fetched once by the collector (src/doctor/collect.ts) or read from a
 * scenario fixture. Rules are pure functions over this; none of them calls AWS or Kubernetes.
 */

/** A fact the collector could not learn (API absent in the emulator, no permission, not asked for). */
export const UNKNOWN = "unknown" as const;
export type Fact<T> = T | typeof UNKNOWN;

export function isKnown<T>(fact: Fact<T> | undefined): fact is T {
  return fact !== undefined && fact !== UNKNOWN;
}

export interface KubeUnreachable {
  /** One of k8s.unreachable, k8s.tls, k8s.unauthorized, k8s.forbidden, k8s.error. */
  code: string;
  server: string;
  message: string;
  /** The error's own code when it is not a k8s.* one (kube.sandbox, kubeconfig problems). */
  origin?: string;
  /** The error's own suggestion, in words. */
  suggestion?: string;
}

export interface KubeSnapshot {
  server: string;
  /** "MAJOR.MINOR" of the API server. */
  controlPlaneVersion: Fact<string>;
  nodes: V1Node[];
  pods: V1Pod[];
  /** Events grouped by involved object, key `Kind/NAMESPACE/NAME` (`Kind//NAME` when cluster-scoped). */
  events: Record<string, CoreV1Event[]>;
  daemonSets: V1DaemonSet[];
  pvcs: V1PersistentVolumeClaim[];
}

/** Per-stack summary of Terraform state. */
export interface StackSummary {
  resources: Array<{ address: string; type: string; id?: string; name?: string }>;
  outputs: Record<string, unknown>;
}

export interface EcrImageFact {
  /** The image reference as the pod names it. */
  image: string;
  repository: string;
  repositoryExists: boolean;
  /** Whether the tag or digest the pod asks for is in the repository; undefined when the repo is missing. */
  imageExists?: boolean;
}

export interface NodeGroupFact {
  name: string;
  status: string;
  desiredSize: number;
  instanceTypes: string[];
  /** DescribeNodegroup's amiType (AL2023_x86_64_NVIDIA, ...): one of the GPU-node signals. */
  amiType?: string;
  /** The role the group's instances run as. */
  nodeRoleArn?: string;
  /** EKS node group health issues: code (NodeCreationFailure, ...), message, resource ids. */
  issues: Array<{ code: string; message: string; resourceIds: string[] }>;
  /** Instances of the group's Auto Scaling group(s); unknown when Auto Scaling/EC2 could not tell. */
  instances: Fact<Array<{ id: string; state: string; privateDnsName?: string; launchTime?: string }>>;
}

export interface SubnetFact {
  id: string;
  availabilityZone: string;
  cidr: string;
  availableIps: number;
}

export interface ExistingOutsideState {
  stack: TerraformStage;
  address: string;
  type: string;
  name: string;
  importId: string;
  /** Set when the ownership rule says it is not the project's (or cannot tell): import refuses it. */
  notOurs?: string;
}

export interface ClusterFact {
  name: string;
  exists: boolean;
  status?: string;
  version?: string;
  subnetIds?: string[];
}

/** The cluster's Kubernetes version against the EKS calendar (live or the bundled table). */
export type VersionSupportFact = VersionSupport;

export interface AwsFacts {
  region: string;
  versionSupport?: Fact<VersionSupportFact>;
  /** The cluster the project (or --cluster) names; exists=false when AWS says it is gone. */
  cluster?: Fact<ClusterFact>;
  /** Keyed by image reference, only for ECR images a pod fails to pull. */
  ecrImages?: Record<string, Fact<EcrImageFact>>;
  /** The node role's attached managed policy names, asked only when a pull fails as unauthorized. */
  nodeRole?: Fact<{ name: string; attachedPolicies: string[] }>;
  nodeGroups?: Fact<NodeGroupFact[]>;
  subnets?: Fact<SubnetFact[]>;
  /** Resources the next plan would create that already exist in AWS. */
  existingOutsideState?: Fact<ExistingOutsideState[]>;
}

export interface ClusterSnapshot {
  /** ISO time the snapshot was taken; "now" for event recency. */
  collectedAt: string;
  /** The Kubernetes side, or why it could not be read. */
  kubernetes: KubeSnapshot | { unreachable: KubeUnreachable };
  /** Per applied stack; absent without a project config. */
  stacks?: Partial<Record<TerraformStage, StackSummary>>;
  aws: AwsFacts;
  /** What the project expects, from the config or outputs, when known. */
  project?: {
    clusterName?: string;
    nodeRoleName?: string;
    gpuNodeGroupName?: string;
    /** The project's namespaces (triton, monitoring). */
    namespaces: string[];
  };
}

export function isUnreachable(k: ClusterSnapshot["kubernetes"]): k is { unreachable: KubeUnreachable } {
  return "unreachable" in k;
}

/** Event index key of an object. */
export function eventKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ""}/${name}`;
}

/** Pure: groups events by involved object, newest last. */
export function indexEvents(events: CoreV1Event[]): Record<string, CoreV1Event[]> {
  const index: Record<string, CoreV1Event[]> = {};
  for (const event of events) {
    const o = event.involvedObject;
    if (!o?.kind || !o.name) continue;
    const key = eventKey(o.kind, o.namespace, o.name);
    const list = index[key];
    if (list) list.push(event);
    else index[key] = [event];
  }
  for (const list of Object.values(index)) list.sort((a, b) => eventTime(a) - eventTime(b));
  return index;
}

/** Best time of an event (events.k8s.io series, lastTimestamp, eventTime, creation). */
export function eventTime(event: CoreV1Event): number {
  const t =
    event.series?.lastObservedTime ??
    event.lastTimestamp ??
    event.eventTime ??
    event.firstTimestamp ??
    event.metadata?.creationTimestamp;
  return t ? new Date(t as unknown as string).getTime() : 0;
}

// Builders for real-shaped Kubernetes objects served by the stand-in (healthy GPU nodes, pods, events)
// and generators for large clusters. Shared by the k8s, verify and doctor tests and benchmarks.
import type { KubeObject } from "./kube-standin.js";

export const GPU_POOL_LABEL = "triton-ops/pool";
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" };

export interface NodeOptions {
  ready?: boolean;
  /** Allocatable nvidia.com/gpu; 0 or undefined on a GPU node means the device plugin is not advertising. */
  gpus?: number;
  pool?: "gpu" | "system";
  nodeGroup?: string;
  instanceType?: string;
  labels?: Record<string, string>;
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
  unschedulable?: boolean;
}

export function node(name: string, options: NodeOptions = {}): KubeObject {
  const pool = options.pool ?? "gpu";
  const gpus = options.gpus ?? (pool === "gpu" ? 1 : 0);
  const ready = options.ready ?? true;
  const resources: Record<string, string> = { cpu: "4", memory: "16Gi", pods: "58" };
  if (pool === "gpu" && options.gpus !== 0) resources["nvidia.com/gpu"] = String(gpus);
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type":
          options.instanceType ?? (pool === "gpu" ? "g5.xlarge" : "t3.large"),
        [GPU_POOL_LABEL]: pool,
        ...(options.nodeGroup ? { "eks.amazonaws.com/nodegroup": options.nodeGroup } : {}),
        ...(options.labels ?? {}),
      },
    },
    spec: {
      ...(pool === "gpu" ? { taints: [GPU_TAINT] } : {}),
      ...(options.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      capacity: { ...resources },
      allocatable: { ...resources },
      conditions: options.conditions ?? [
        {
          type: "Ready",
          status: ready ? "True" : "False",
          reason: ready ? "KubeletReady" : "KubeletNotReady",
          message: ready ? "kubelet is posting ready status" : "container runtime network not ready",
          lastTransitionTime: "2026-01-01T00:00:00Z",
        },
        { type: "MemoryPressure", status: "False" },
        { type: "DiskPressure", status: "False" },
      ],
      nodeInfo: { kubeletVersion: "v1.31.4-eks", containerRuntimeVersion: "containerd://1.7.22" },
    },
  };
}

export interface PodOptions {
  node?: string;
  phase?: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  ready?: boolean;
  restarts?: number;
  labels?: Record<string, string>;
  /** A waiting reason such as CrashLoopBackOff or ImagePullBackOff. */
  waitingReason?: string;
  container?: string;
  ownerKind?: string;
  ownerName?: string;
}

export function pod(namespace: string, name: string, options: PodOptions = {}): KubeObject {
  const phase = options.phase ?? "Running";
  const ready = options.ready ?? phase === "Running";
  const container = options.container ?? "main";
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      labels: options.labels ?? {},
      ...(options.ownerKind
        ? {
            ownerReferences: [
              {
                apiVersion: "apps/v1",
                kind: options.ownerKind,
                name: options.ownerName ?? name,
                uid: "owner",
              },
            ],
          }
        : {}),
    },
    spec: {
      ...(options.node ? { nodeName: options.node } : {}),
      containers: [{ name: container, image: "example/image:1" }],
    },
    status: {
      phase,
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      containerStatuses: [
        {
          name: container,
          ready,
          restartCount: options.restarts ?? 0,
          image: "example/image:1",
          imageID: "",
          state: options.waitingReason
            ? { waiting: { reason: options.waitingReason } }
            : phase === "Running"
              ? { running: { startedAt: "2026-01-01T00:00:00Z" } }
              : {},
        },
      ],
    },
  };
}

export interface EventOptions {
  type?: "Normal" | "Warning";
  reason: string;
  message?: string;
  kind?: string;
  objectName: string;
  count?: number;
  lastTimestamp?: string;
}

let eventSerial = 0;
export function event(namespace: string, options: EventOptions): KubeObject {
  eventSerial += 1;
  const kind = options.kind ?? "Pod";
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${options.objectName}.${eventSerial.toString(16).padStart(12, "0")}`, namespace },
    involvedObject: { kind, name: options.objectName, namespace, apiVersion: "v1" },
    reason: options.reason,
    message: options.message ?? options.reason,
    type: options.type ?? "Normal",
    count: options.count ?? 1,
    firstTimestamp: options.lastTimestamp ?? "2026-01-01T00:00:00Z",
    lastTimestamp: options.lastTimestamp ?? "2026-01-01T00:00:00Z",
    source: { component: "kubelet" },
  };
}

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels }, status: { phase: "Active" } };
}

export interface WorkloadStatus {
  desired?: number;
  ready?: number;
  labels?: Record<string, string>;
}

export function deployment(ns: string, name: string, options: WorkloadStatus = {}): KubeObject {
  const desired = options.desired ?? 1;
  const ready = options.ready ?? desired;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns, generation: 1, labels: options.labels ?? {} },
    spec: {
      replicas: desired,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: "example/image:1" }] },
      },
    },
    status: {
      observedGeneration: 1,
      replicas: desired,
      updatedReplicas: desired,
      readyReplicas: ready,
      availableReplicas: ready,
    },
  };
}

export function daemonSet(ns: string, name: string, options: WorkloadStatus = {}): KubeObject {
  const desired = options.desired ?? 1;
  const ready = options.ready ?? desired;
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: ns, generation: 1, labels: options.labels ?? {} },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: "example/image:1" }] },
      },
    },
    status: {
      observedGeneration: 1,
      desiredNumberScheduled: desired,
      currentNumberScheduled: desired,
      updatedNumberScheduled: desired,
      numberReady: ready,
      numberAvailable: ready,
      numberMisscheduled: 0,
    },
  };
}

export function service(
  ns: string,
  name: string,
  options: { type?: "ClusterIP" | "LoadBalancer"; ports?: number[]; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: ns, labels: options.labels ?? {} },
    spec: {
      type: options.type ?? "ClusterIP",
      selector: { app: name },
      ports: (options.ports ?? [80]).map((port) => ({
        name: `p${port}`,
        port,
        targetPort: port,
        protocol: "TCP",
      })),
    },
  };
}

export interface LargeClusterOptions {
  nodes: number;
  pods: number;
  events: number;
}

/** A big, healthy cluster for scale tests and benchmarks: GPU nodes, pods spread on them, routine events. */
export function largeCluster(options: LargeClusterOptions): KubeObject[] {
  const objects: KubeObject[] = [];
  const nodeName = (i: number) => `ip-10-0-${Math.floor(i / 250)}-${i % 250}.ec2.internal`;
  for (let i = 0; i < options.nodes; i++) objects.push(node(nodeName(i), { gpus: 1, nodeGroup: "gpu" }));
  for (let i = 0; i < options.pods; i++) {
    const ns = `team-${i % 20}`;
    objects.push(
      pod(ns, `worker-${i}`, {
        node: nodeName(i % Math.max(1, options.nodes)),
        labels: { app: `worker-${i % 50}` },
      }),
    );
  }
  for (let i = 0; i < options.events; i++) {
    objects.push(
      event(`team-${i % 20}`, {
        reason: i % 3 === 0 ? "Pulled" : "Started",
        objectName: `worker-${i % options.pods || 0}`,
      }),
    );
  }
  return objects;
}

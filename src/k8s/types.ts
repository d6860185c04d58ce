import type {
  CoreV1Event,
  KubernetesObject,
  V1DaemonSet,
  V1Deployment,
  V1Namespace,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Service,
  VersionInfo,
} from "@kubernetes/client-node";

export type {
  CoreV1Event,
  KubernetesObject,
  V1DaemonSet,
  V1Deployment,
  V1Namespace,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Service,
  VersionInfo,
};

export interface ListOptions {
  /** Omit for all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size for limit/continue paging; the client fetches every page. */
  pageSize?: number;
}

export interface ProxyResponse {
  status: number;
  body: string;
}

export interface RolloutProgress {
  ready: number;
  desired: number;
}

/**
 * The small interface every Kubernetes caller goes through, so tests swap in the stand-in; implemented over
 * @kubernetes/client-node in src/k8s/client.ts, served in tests by the API stand-in.
 */
export interface KubeClient {
  /** API server URL from the kubeconfig, for messages. */
  readonly server: string;
  version(): Promise<VersionInfo>;
  listNodes(options?: ListOptions): Promise<V1Node[]>;
  listPods(options?: ListOptions): Promise<V1Pod[]>;
  listEvents(options?: ListOptions): Promise<CoreV1Event[]>;
  listDaemonSets(options?: ListOptions): Promise<V1DaemonSet[]>;
  listDeployments(options?: ListOptions): Promise<V1Deployment[]>;
  listServices(options?: ListOptions): Promise<V1Service[]>;
  listPersistentVolumeClaims(options?: ListOptions): Promise<V1PersistentVolumeClaim[]>;
  listNamespaces(options?: Omit<ListOptions, "namespace">): Promise<V1Namespace[]>;
  /** GET one object of any kind; undefined when it does not exist. */
  read(
    apiVersion: string,
    kind: string,
    name: string,
    namespace?: string,
  ): Promise<KubernetesObject | undefined>;
  /** Server-side apply with the given field manager; returns the object as stored. */
  apply(object: KubernetesObject, fieldManager: string, force?: boolean): Promise<KubernetesObject>;
  /** Deletes; an object already gone is success. */
  delete(object: Pick<KubernetesObject, "apiVersion" | "kind" | "metadata">): Promise<void>;
  /** Lists objects of any kind carrying a label selector (for pruning what we own). */
  listByKind(apiVersion: string, kind: string, options?: ListOptions): Promise<KubernetesObject[]>;
  waitForRollout(
    kind: "Deployment" | "DaemonSet",
    namespace: string,
    name: string,
    options: { timeoutMs: number; onProgress?: (progress: RolloutProgress) => void },
  ): Promise<RolloutProgress>;
  /**
   * Forwards one local connection to a pod's port through the API server (the client library's
   * PortForward over WebSocket, as `kubectl port-forward`); resolves once the tunnel is open.
   * Optional so test doubles written against the milestone-1 interface still type-check.
   */
  portForward?(
    namespace: string,
    pod: string,
    port: number,
    socket: import("node:stream").Duplex,
  ): Promise<void>;
  /** GET through the API server's service proxy: /api/v1/namespaces/NS/services/NAME:PORT/proxy/PATH. */
  proxyGet(namespace: string, service: string, port: number | string, path: string): Promise<ProxyResponse>;
  /**
   * GET or POST (with a JSON body) through the service proxy, for APIs that need a body (Triton's
   * repository and inference endpoints). Optional so test doubles of the older interface still type-check.
   */
  proxyRequest?(
    namespace: string,
    service: string,
    port: number | string,
    method: "GET" | "POST",
    path: string,
    body?: string,
  ): Promise<ProxyResponse>;
  /**
   * The same through one pod's proxy (/api/v1/namespaces/NS/pods/NAME:PORT/proxy/PATH): what a Service
   * spreads over its replicas, sent to one replica chosen by name.
   */
  podProxyRequest?(
    namespace: string,
    pod: string,
    port: number | string,
    method: "GET" | "POST",
    path: string,
    body?: string,
  ): Promise<ProxyResponse>;
}

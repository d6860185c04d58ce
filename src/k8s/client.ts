import http from "node:http";
import https from "node:https";
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  type CoreV1Event,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
  PortForward,
  type V1Node,
  type V1Pod,
  VersionApi,
} from "@kubernetes/client-node";
import { ExternalError, messageOf } from "../errors.js";
import type { KubeClient, ListOptions, ProxyResponse, RolloutProgress } from "./types.js";

export const DEFAULT_PAGE_SIZE = 500;
/** One request that takes longer than this counts as the server being unreachable. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface KubeClientOptions {
  requestTimeoutMs?: number;
  /** How often waitForRollout polls. */
  pollIntervalMs?: number;
}

const TLS_CODES = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "EPROTO",
]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

class RequestTimeout extends Error {
  readonly code = "ETIMEDOUT";
}

/** The errno-style code of a network failure, looking through node-fetch's wrapping. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    const c = current as { code?: unknown; errno?: unknown; cause?: unknown };
    if (typeof c.code === "string") return c.code;
    if (typeof c.errno === "string") return c.errno;
    current = c.cause;
  }
  return undefined;
}

function statusMessage(body: unknown): string | undefined {
  if (typeof body === "string") {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body.split("\n")[0]?.slice(0, 200) || undefined;
    }
  }
  if (body && typeof body === "object" && "message" in body && typeof body.message === "string") {
    return body.message;
  }
  return undefined;
}

/** Maps any failure of a Kubernetes call to one line with a stable code (k8s.*). */
export function toKubeError(error: unknown, server: string, action: string): ExternalError {
  if (error instanceof ExternalError) return error;
  if (error instanceof ApiException) {
    const detail = statusMessage(error.body);
    const suffix = detail ? `: ${detail}` : "";
    if (error.code === 401) {
      return new ExternalError(`Kubernetes API ${server} rejected the credentials (401) to ${action}.`, {
        code: "k8s.unauthorized",
        suggestion:
          "Refresh the kubeconfig (`triton-ops kubeconfig --write`) and check that your AWS identity has an EKS access entry.",
        cause: error,
      });
    }
    if (error.code === 403) {
      return new ExternalError(`Kubernetes API ${server} forbids you to ${action} (403)${suffix}.`, {
        code: "k8s.forbidden",
        suggestion:
          "Grant your identity the needed RBAC permissions (an EKS access policy or a RoleBinding).",
        cause: error,
      });
    }
    return new ExternalError(`Kubernetes API ${server} failed to ${action} (${error.code})${suffix}.`, {
      code: error.code === 404 ? "k8s.not-found" : "k8s.error",
      cause: error,
    });
  }
  const code = networkCode(error);
  if (code && TLS_CODES.has(code)) {
    return new ExternalError(
      `TLS to Kubernetes API ${server} failed (${code}) while trying to ${action}: its certificate does not match the kubeconfig's CA.`,
      {
        code: "k8s.tls",
        suggestion:
          "Regenerate the kubeconfig (`triton-ops kubeconfig --write`) so its certificate-authority-data is the cluster's.",
        cause: error,
      },
    );
  }
  if (code && NETWORK_CODES.has(code)) {
    const reason = error instanceof RequestTimeout ? error.message : code;
    return new ExternalError(`Cannot reach Kubernetes API ${server} (${reason}) to ${action}.`, {
      code: "k8s.unreachable",
      suggestion:
        "Check the network path to the API endpoint (public access CIDRs, VPN) and the kubeconfig's server.",
      cause: error,
    });
  }
  return new ExternalError(`Kubernetes call to ${action} failed: ${messageOf(error).split("\n")[0]}`, {
    code: "k8s.error",
    cause: error,
  });
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

function withTimeout<T>(promise: Promise<T>, ms: number, server: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeout(`no answer from ${server} in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface Page<T> {
  items: T[];
  metadata?: { _continue?: string; continue?: string };
}

function continueOf(page: Page<unknown>): string | undefined {
  return page.metadata?._continue ?? page.metadata?.continue ?? undefined;
}

/** Kinds whose ready counts waitForRollout knows how to read. */
type RolloutKind = "Deployment" | "DaemonSet";

export function rolloutProgress(
  kind: RolloutKind,
  object: KubernetesObject,
): RolloutProgress & {
  done: boolean;
} {
  const o = object as {
    metadata?: { generation?: number };
    spec?: { replicas?: number };
    status?: {
      observedGeneration?: number;
      readyReplicas?: number;
      updatedReplicas?: number;
      availableReplicas?: number;
      replicas?: number;
      desiredNumberScheduled?: number;
      numberReady?: number;
      updatedNumberScheduled?: number;
      numberAvailable?: number;
    };
  };
  const status = o.status ?? {};
  const observed = (status.observedGeneration ?? 0) >= (o.metadata?.generation ?? 0);
  if (kind === "Deployment") {
    const desired = o.spec?.replicas ?? 1;
    const ready = status.readyReplicas ?? 0;
    const done =
      observed &&
      (status.updatedReplicas ?? 0) >= desired &&
      (status.availableReplicas ?? 0) >= desired &&
      (status.replicas ?? 0) <= desired;
    return { ready, desired, done };
  }
  const desired = status.desiredNumberScheduled ?? 0;
  const ready = status.numberReady ?? 0;
  const done =
    observed && (status.updatedNumberScheduled ?? 0) >= desired && (status.numberAvailable ?? 0) >= desired;
  return { ready, desired, done };
}

/** The KubeClient over @kubernetes/client-node, for the kubeconfig's current context. */
export function createKubeClient(kubeConfig: KubeConfig, options: KubeClientOptions = {}): KubeClient {
  const server = kubeConfig.getCurrentCluster()?.server ?? "(no server in kubeconfig)";
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const pollMs = options.pollIntervalMs ?? 1000;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const versionApi = kubeConfig.makeApiClient(VersionApi);
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);

  const call = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(fn(), timeoutMs, server);
    } catch (error) {
      throw toKubeError(error, server, action);
    }
  };

  /** Fetches every page with limit/continue. */
  const listAll = async <T>(
    what: string,
    options: ListOptions | undefined,
    fetchPage: (params: {
      limit: number;
      _continue?: string;
      labelSelector?: string;
      fieldSelector?: string;
    }) => Promise<Page<T>>,
  ): Promise<T[]> => {
    const all: T[] = [];
    let token: string | undefined;
    const where = options?.namespace ? ` in namespace ${options.namespace}` : "";
    do {
      const page: Page<T> = await call(`list ${what}${where}`, () =>
        fetchPage({
          limit: options?.pageSize ?? DEFAULT_PAGE_SIZE,
          ...(token ? { _continue: token } : {}),
          ...(options?.labelSelector ? { labelSelector: options.labelSelector } : {}),
          ...(options?.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
        }),
      );
      for (const item of page.items) all.push(item);
      token = continueOf(page);
    } while (token);
    return all;
  };

  // The three lists doctor reads whole (nodes, pods, events: 31,000 objects in the benchmark's cluster) come
  // as the API sends them, JSON.parse'd, not through the generated client's model conversion, which took a
  // quarter of a paged fetch's time (bench/support/k8s-floor.mjs: 2.6 s against 1.9 s with plain requests).
  // So their time fields are RFC 3339 strings, as on the wire; readers go through `new Date(...)`.
  const base = server.replace(/\/$/, "");
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  /** One request with the kubeconfig's own TLS and credentials, outside the generated client. */
  const plainRequest = async (method: string, path: string, body?: string): Promise<ProxyResponse> => {
    const url = new URL(`${base}${path}`);
    const secure = url.protocol === "https:";
    const options: https.RequestOptions = { method, headers: { accept: "application/json" } };
    await kubeConfig.applyToHTTPSOptions(options);
    options.agent ??= secure ? agents.https : agents.http;
    if (body !== undefined) {
      options.headers = {
        ...options.headers,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      };
    }
    return new Promise<ProxyResponse>((resolve, reject) => {
      const req = (secure ? https : http).request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  };

  /**
   * GET or POST through the API server's service or pod proxy. The generated proxy API cannot send a request
   * body, so this goes out as a plain request.
   */
  const viaProxy = async (
    kind: "services" | "pods",
    namespace: string,
    name: string,
    port: number | string,
    method: "GET" | "POST",
    path: string,
    body?: string,
  ): Promise<ProxyResponse> => {
    const what = kind === "services" ? "service" : "pod";
    const action = `${method} ${path} to ${what} ${namespace}/${name}:${port} through the API proxy`;
    const answer = await withTimeout(
      plainRequest(
        method,
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/${kind}/${encodeURIComponent(`${name}:${port}`)}/proxy${path}`,
        body,
      ),
      timeoutMs,
      server,
    ).catch((error: unknown) => {
      throw toKubeError(error, server, action);
    });
    if (answer.status === 401 || answer.status === 403) {
      throw new ExternalError(`The Kubernetes API at ${server} refused to ${action} (${answer.status}).`, {
        code: "k8s.forbidden",
        suggestion: `Check the kubeconfig's credentials and that they may use ${kind}/proxy in that namespace.`,
      });
    }
    return answer;
  };
  const getJson = async <T>(path: string): Promise<T> => {
    const answer = await plainRequest("GET", path);
    if (answer.status < 200 || answer.status >= 300) {
      throw new ApiException(answer.status, `HTTP ${answer.status}`, answer.body, {});
    }
    return JSON.parse(answer.body) as T;
  };
  const rawPages =
    <T>(allPath: string, namespacedPath: (ns: string) => string, options: ListOptions | undefined) =>
    (params: { limit: number; _continue?: string; labelSelector?: string; fieldSelector?: string }) => {
      const query = new URLSearchParams({ limit: String(params.limit) });
      if (params._continue) query.set("continue", params._continue);
      if (params.labelSelector) query.set("labelSelector", params.labelSelector);
      if (params.fieldSelector) query.set("fieldSelector", params.fieldSelector);
      const path = options?.namespace ? namespacedPath(encodeURIComponent(options.namespace)) : allPath;
      return getJson<Page<T>>(`${path}?${query}`);
    };

  const nsOr = <T>(
    options: ListOptions | undefined,
    all: (p: object) => Promise<Page<T>>,
    namespaced: (p: object & { namespace: string }) => Promise<Page<T>>,
  ) => {
    const ns = options?.namespace;
    return (params: object) => (ns ? namespaced({ ...params, namespace: ns }) : all(params));
  };

  const readForRollout = (kind: RolloutKind, namespace: string, name: string) =>
    call(`read ${kind} ${namespace}/${name}`, () =>
      kind === "Deployment"
        ? apps.readNamespacedDeployment({ namespace, name })
        : apps.readNamespacedDaemonSet({ namespace, name }),
    );

  return {
    server,
    version: () => call("read the server version", () => versionApi.getCode()),
    listNodes: (o) =>
      listAll(
        "nodes",
        o,
        rawPages<V1Node>("/api/v1/nodes", () => "/api/v1/nodes", undefined),
      ),
    listPods: (o) =>
      listAll(
        "pods",
        o,
        rawPages<V1Pod>("/api/v1/pods", (ns) => `/api/v1/namespaces/${ns}/pods`, o),
      ),
    listEvents: (o) =>
      listAll(
        "events",
        o,
        rawPages<CoreV1Event>("/api/v1/events", (ns) => `/api/v1/namespaces/${ns}/events`, o),
      ),
    listDaemonSets: (o) =>
      listAll(
        "daemonsets",
        o,
        nsOr(
          o,
          (p) => apps.listDaemonSetForAllNamespaces(p),
          (p) => apps.listNamespacedDaemonSet(p),
        ),
      ),
    listDeployments: (o) =>
      listAll(
        "deployments",
        o,
        nsOr(
          o,
          (p) => apps.listDeploymentForAllNamespaces(p),
          (p) => apps.listNamespacedDeployment(p),
        ),
      ),
    listServices: (o) =>
      listAll(
        "services",
        o,
        nsOr(
          o,
          (p) => core.listServiceForAllNamespaces(p),
          (p) => core.listNamespacedService(p),
        ),
      ),
    listPersistentVolumeClaims: (o) =>
      listAll(
        "persistentvolumeclaims",
        o,
        nsOr(
          o,
          (p) => core.listPersistentVolumeClaimForAllNamespaces(p),
          (p) => core.listNamespacedPersistentVolumeClaim(p),
        ),
      ),
    listNamespaces: (o) => listAll("namespaces", o, (p) => core.listNamespace(p)),

    async read(apiVersion, kind, name, namespace) {
      const header = {
        apiVersion,
        kind,
        metadata: { name, ...(namespace ? { namespace } : {}) },
      };
      try {
        return await withTimeout(objects.read(header), timeoutMs, server);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw toKubeError(error, server, `read ${kind} ${namespace ? `${namespace}/` : ""}${name}`);
      }
    },

    apply: (object, fieldManager, force = true) =>
      call(`apply ${object.kind} ${object.metadata?.namespace ?? ""}/${object.metadata?.name}`, () =>
        objects.patch(object, undefined, undefined, fieldManager, force, PatchStrategy.ServerSideApply),
      ),

    async delete(object) {
      try {
        await withTimeout(
          objects.delete(
            object as KubernetesObject,
            undefined,
            undefined,
            undefined,
            undefined,
            "Background",
          ),
          timeoutMs,
          server,
        );
      } catch (error) {
        if (isNotFound(error)) return;
        throw toKubeError(
          error,
          server,
          `delete ${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata?.name}`,
        );
      }
    },

    listByKind: (apiVersion, kind, o) =>
      listAll(
        `${kind} objects`,
        o,
        async (p: { limit: number; _continue?: string; labelSelector?: string; fieldSelector?: string }) => {
          try {
            return await objects.list(
              apiVersion,
              kind,
              o?.namespace,
              undefined,
              undefined,
              undefined,
              p.fieldSelector,
              p.labelSelector,
              p.limit,
              p._continue,
            );
          } catch (error) {
            // A kind the cluster does not serve (an HPA API missing, say) holds nothing of ours.
            if (isNotFound(error)) return { items: [] };
            throw error;
          }
        },
      ),

    async waitForRollout(kind, namespace, name, { timeoutMs: limit, onProgress }) {
      const deadline = Date.now() + limit;
      let last: RolloutProgress = { ready: 0, desired: 0 };
      for (;;) {
        const object = await readForRollout(kind, namespace, name);
        const progress = rolloutProgress(kind, object as KubernetesObject);
        last = { ready: progress.ready, desired: progress.desired };
        onProgress?.(last);
        if (progress.done) return last;
        if (Date.now() + pollMs > deadline) {
          throw new ExternalError(
            `${kind} ${namespace}/${name} did not finish rolling out in ${Math.round(limit / 1000)} s (${last.ready}/${last.desired} ready).`,
            {
              code: "k8s.rollout-timeout",
              suggestion: `Look at its pods: \`kubectl -n ${namespace} describe ${kind.toLowerCase()} ${name}\` and \`triton-ops doctor\`.`,
            },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },

    async portForward(namespace, pod, port, socket) {
      const forward = new PortForward(kubeConfig, true);
      await call(`forward port ${port} of pod ${namespace}/${pod}`, () =>
        forward.portForward(namespace, pod, [port], socket, null, socket),
      );
    },

    proxyRequest(namespace, service, port, method, path, body): Promise<ProxyResponse> {
      return viaProxy("services", namespace, service, port, method, path, body);
    },

    podProxyRequest(namespace, pod, port, method, path, body): Promise<ProxyResponse> {
      return viaProxy("pods", namespace, pod, port, method, path, body);
    },

    async proxyGet(namespace, service, port, path): Promise<ProxyResponse> {
      const action = `GET ${path} from service ${namespace}/${service}:${port} through the API proxy`;
      try {
        const body = await withTimeout(
          core.connectGetNamespacedServiceProxyWithPath({
            namespace,
            name: `${service}:${port}`,
            path: path.replace(/^\//, ""),
          }),
          timeoutMs,
          server,
        );
        return { status: 200, body: typeof body === "string" ? body : JSON.stringify(body) };
      } catch (error) {
        // The service answered with an error status: that is a result, not a failure of the call,
        // unless the API server itself refused us.
        if (error instanceof ApiException && error.code !== 401 && error.code !== 403) {
          const body = typeof error.body === "string" ? error.body : JSON.stringify(error.body ?? "");
          return { status: error.code, body };
        }
        throw toKubeError(error, server, action);
      }
    },
  };
}

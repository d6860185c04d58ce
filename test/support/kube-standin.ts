// The Kubernetes API stand-in: no API server can run on these machines (ENVIRONMENT.md), so tests drive
// the real @kubernetes/client-node through a real kubeconfig against this HTTPS server. It serves
// real-shaped objects with discovery, list (selectors, limit/continue), get, server-side apply, delete
// and the service and pod proxies. Certificates are made with openssl at start.
// The proxies follow the Kubernetes API reference's "Proxy Operations" of Service and Pod
// (kubernetes.io/docs/reference/kubernetes-api/: connect GET/POST .../services/{name}/proxy/{path} and
// .../pods/{name}/proxy/{path}, where name may be NAME:PORT). As the API server does, a pod proxy to a pod
// that does not exist answers 404 NotFound, and to one that is not running 503 ServiceUnavailable.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { Duplex } from "node:stream";
import { promisify } from "node:util";
import { parse as parseYaml, stringify } from "yaml";

const run = promisify(execFile);

// biome-ignore lint/suspicious/noExplicitAny: objects are free-form Kubernetes JSON
export type KubeObject = Record<string, any> & {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
};

export interface ProxyRequest {
  namespace: string;
  service: string;
  port: string;
  path: string;
}
export interface ProxyAnswer {
  status: number;
  body: string | object;
}
/** Keyed "NAMESPACE/SERVICE:PORT/PATH", e.g. "triton/triton:8000/v2/health/ready". */
export type ProxyHandlers = Record<string, ProxyAnswer | ((request: ProxyRequest) => ProxyAnswer)>;

export interface StandinOptions {
  objects?: KubeObject[];
  /** Every request waits this long first (the verify benchmark uses 100 ms). */
  latencyMs?: number;
  proxy?: ProxyHandlers;
  /** Every request answers with this status (401, 403, 500, ...). */
  failWith?: number;
  /**
   * RBAC as the API server applies it after authentication: a request this refuses answers 403 Forbidden
   * with a Status naming the verb and resource, as Kubernetes does.
   */
  authorize?: (request: { method: string; path: string }) => boolean;
  /**
   * What applied Deployments/DaemonSets report: "ready" (rolled out at once, the default) or "stuck"
   * (no replica ever becomes ready).
   */
  rollout?: "ready" | "stuck";
  /** Nodes a DaemonSet counts as scheduled on when rollout is "ready". */
  daemonSetNodes?: number;
  /**
   * Pod port-forwards: "NAMESPACE/POD:PORT" -> a TCP port on 127.0.0.1 the stand-in connects the tunnel
   * to (the WebSocket port-forward protocol, v4.channel.k8s.io, as the API server speaks it).
   */
  portForward?: Record<string, number>;
  /**
   * Services the proxy forwards to a real HTTP server: "NAMESPACE/SERVICE:PORT" -> "http://127.0.0.1:N".
   * GET and POST go through with their path, query and body, as the API server's service proxy does.
   */
  proxyUpstreams?: Record<string, string>;
  /**
   * Pods the pod proxy forwards to a real HTTP server: "NAMESPACE/POD:PORT" -> "http://127.0.0.1:N". The pod
   * must also be in the store (objects), Running, or the proxy refuses as the API server would.
   */
  podUpstreams?: Record<string, string>;
}

export interface RequestLog {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
}

export interface ObjectStore {
  add(...objects: KubeObject[]): void;
  remove(apiVersion: string, kind: string, name: string, namespace?: string): boolean;
  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined;
  list(apiVersion: string, kind: string): KubeObject[];
}

export interface KubeStandin {
  url: string;
  kubeconfigPath: string;
  token: string;
  caData: string;
  contextName: string;
  store: ObjectStore;
  requests: { count: number; log: RequestLog[]; reset(): void };
  proxy: ProxyHandlers;
  /** Writes another kubeconfig for this server with some parts replaced (a wrong CA, token, server). */
  writeKubeconfig(overrides?: {
    token?: string;
    caData?: string;
    server?: string;
    contextName?: string;
  }): Promise<string>;
  stop(): Promise<void>;
}

interface ResourceType {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

const RESOURCE_TYPES: ResourceType[] = [
  ["", "v1", "Namespace", "namespaces", false],
  ["", "v1", "Node", "nodes", false],
  ["", "v1", "Pod", "pods", true],
  ["", "v1", "Event", "events", true],
  ["", "v1", "Service", "services", true],
  ["", "v1", "Endpoints", "endpoints", true],
  ["", "v1", "Secret", "secrets", true],
  ["", "v1", "ConfigMap", "configmaps", true],
  ["", "v1", "ServiceAccount", "serviceaccounts", true],
  ["", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true],
  ["apps", "v1", "Deployment", "deployments", true],
  ["apps", "v1", "DaemonSet", "daemonsets", true],
  ["apps", "v1", "StatefulSet", "statefulsets", true],
  ["autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true],
  ["policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true],
  ["rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false],
  ["rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false],
  ["rbac.authorization.k8s.io", "v1", "Role", "roles", true],
  ["rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true],
  ["policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true],
  ["apiregistration.k8s.io", "v1", "APIService", "apiservices", false],
].map(([group, version, kind, plural, namespaced]) => ({
  group: group as string,
  version: version as string,
  kind: kind as string,
  plural: plural as string,
  namespaced: namespaced as boolean,
}));

function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

// ---- selectors -------------------------------------------------------------------------------------

type Requirement = (labels: Record<string, string>) => boolean;

/** Parses a label selector (=, ==, !=, in, notin, exists, !exists) into predicates. */
export function parseLabelSelector(selector: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  if (current.trim()) parts.push(current);
  return parts.map((raw) => {
    const part = raw.trim();
    let m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m) {
      const key = m[1]!;
      const values = new Set(m[3]!.split(",").map((v) => v.trim()));
      return m[2] === "in"
        ? (l) => l[key] !== undefined && values.has(l[key]!)
        : (l) => l[key] === undefined || !values.has(l[key]!);
    }
    m = /^([^\s!=]+)\s*(!=|==|=)\s*(\S*)$/.exec(part);
    if (m) {
      const key = m[1]!;
      const value = m[3]!;
      return m[2] === "!=" ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    if (part.startsWith("!")) {
      const key = part.slice(1);
      return (l) => l[key] === undefined;
    }
    return (l) => l[part] !== undefined;
  });
}

function fieldValue(object: KubeObject, dotted: string): string | undefined {
  let node: unknown = object;
  for (const key of dotted.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node === undefined || node === null ? undefined : String(node);
}

/** Parses a field selector (k=v, k==v, k!=v over dotted paths such as spec.nodeName). */
export function parseFieldSelector(selector: string): Array<(o: KubeObject) => boolean> {
  return selector
    .split(",")
    .filter((p) => p.trim() !== "")
    .map((part) => {
      const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(part.trim());
      if (!m) throw new Error(`bad field selector ${part}`);
      const key = m[1]!.trim();
      const value = m[3]!.trim();
      // An absent field compares as the empty string, as the API server does.
      return m[2] === "!="
        ? (o) => (fieldValue(o, key) ?? "") !== value
        : (o) => (fieldValue(o, key) ?? "") === value;
    });
}

// ---- the store -------------------------------------------------------------------------------------

class Store implements ObjectStore {
  private readonly byType = new Map<string, Map<string, KubeObject>>();
  private readonly sorted = new Map<string, KubeObject[]>();
  private revision = 1;

  private bucket(apiVersion: string, kind: string): Map<string, KubeObject> {
    const key = `${apiVersion}|${kind}`;
    let map = this.byType.get(key);
    if (!map) {
      map = new Map();
      this.byType.set(key, map);
    }
    return map;
  }

  nextRevision(): string {
    this.revision += 1;
    return String(this.revision);
  }

  add(...objects: KubeObject[]): void {
    for (const object of objects) {
      const meta = object.metadata;
      meta.uid ??= `uid-${object.kind.toLowerCase()}-${meta.namespace ?? ""}-${meta.name}`;
      meta.resourceVersion ??= this.nextRevision();
      meta.creationTimestamp ??= "2026-01-01T00:00:00Z";
      this.bucket(object.apiVersion, object.kind).set(`${meta.namespace ?? ""}/${meta.name}`, object);
      this.sorted.delete(`${object.apiVersion}|${object.kind}`);
    }
  }

  remove(apiVersion: string, kind: string, name: string, namespace?: string): boolean {
    this.sorted.delete(`${apiVersion}|${kind}`);
    return this.bucket(apiVersion, kind).delete(`${namespace ?? ""}/${name}`);
  }

  get(apiVersion: string, kind: string, name: string, namespace?: string): KubeObject | undefined {
    return this.bucket(apiVersion, kind).get(`${namespace ?? ""}/${name}`);
  }

  list(apiVersion: string, kind: string): KubeObject[] {
    const key = `${apiVersion}|${kind}`;
    let list = this.sorted.get(key);
    if (!list) {
      list = [...this.bucket(apiVersion, kind).entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, o]) => o);
      this.sorted.set(key, list);
    }
    return list;
  }
}

// ---- certificates ------------------------------------------------------------------------------------

interface Certificates {
  caPem: string;
  keyPem: string;
  certPem: string;
}

async function makeCertificates(dir: string): Promise<Certificates> {
  const f = (name: string) => path.join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.crt"),
    "-days",
    "2",
    "-subj",
    "/CN=kube-standin-ca",
  ]);
  await run("openssl", [
    "req",
    ...ec,
    "-keyout",
    f("server.key"),
    "-out",
    f("server.csr"),
    "-subj",
    "/CN=kube-apiserver",
  ]);
  await writeFile(f("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    f("server.csr"),
    "-CA",
    f("ca.crt"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-out",
    f("server.crt"),
    "-days",
    "2",
    "-extfile",
    f("san.ext"),
  ]);
  const [caPem, keyPem, certPem] = await Promise.all(
    ["ca.crt", "server.key", "server.crt"].map((n) => readFile(f(n), "utf8")),
  );
  return { caPem: caPem!, keyPem: keyPem!, certPem: certPem! };
}

// ---- the server --------------------------------------------------------------------------------------

function status(code: number, message: string, reason: string) {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

const REASONS: Record<number, string> = {
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  415: "UnsupportedMediaType",
  422: "Invalid",
  500: "InternalError",
  503: "ServiceUnavailable",
};

function encodeContinue(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}
function decodeContinue(token: string): number {
  return (JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o: number }).o;
}

function simulateRollout(object: KubeObject, options: StandinOptions): void {
  const generation = object.metadata.generation as number;
  const stuck = options.rollout === "stuck";
  if (object.kind === "Deployment") {
    const replicas = (object.spec?.replicas as number | undefined) ?? 1;
    object.status = {
      observedGeneration: generation,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: stuck ? 0 : replicas,
      availableReplicas: stuck ? 0 : replicas,
      ...(stuck ? { unavailableReplicas: replicas } : {}),
    };
  } else if (object.kind === "DaemonSet") {
    const nodes = options.daemonSetNodes ?? 1;
    object.status = {
      observedGeneration: generation,
      desiredNumberScheduled: nodes,
      currentNumberScheduled: nodes,
      updatedNumberScheduled: nodes,
      numberReady: stuck ? 0 : nodes,
      numberAvailable: stuck ? 0 : nodes,
      numberMisscheduled: 0,
    };
  }
}

// ---- port-forward over WebSocket (RFC 6455 framing, just what the tunnel needs) -------------------------

function wsFrame(payload: Buffer, opcode = 0x2): Buffer {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff])
        : Buffer.concat([
            Buffer.from([0x80 | opcode, 127]),
            (() => {
              const b = Buffer.alloc(8);
              b.writeBigUInt64BE(BigInt(length));
              return b;
            })(),
          ]);
  return Buffer.concat([header, payload]);
}

/** Reads client frames (always masked) from a stream of chunks. */
function wsReader(onFrame: (opcode: number, payload: Buffer) => void): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      const opcode = pending[0]! & 0x0f;
      const masked = (pending[1]! & 0x80) !== 0;
      let length = pending[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        length = Number(pending.readBigUInt64BE(2));
        offset = 10;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (pending.length < offset + length) return;
      const payload = Buffer.from(pending.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= pending[maskOffset + (i % 4)]!;
      pending = pending.subarray(offset + length);
      onFrame(opcode, payload);
    }
  };
}

function portBytes(channel: number, port: number): Buffer {
  return Buffer.from([channel, port & 0xff, port >> 8]);
}

export async function startKubeStandin(options: StandinOptions = {}): Promise<KubeStandin> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "kube-standin-"));
  const certs = await makeCertificates(dir);
  const token = `standin-${Math.random().toString(36).slice(2)}`;
  const store = new Store();
  store.add(...(options.objects ?? []));
  const proxy: ProxyHandlers = { ...(options.proxy ?? {}) };
  const log: RequestLog[] = [];
  const requests = {
    count: 0,
    log,
    reset() {
      this.count = 0;
      log.length = 0;
    },
  };

  const discovery = (group: string, version: string) => ({
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group ? `${group}/${version}` : version,
    resources: RESOURCE_TYPES.filter((t) => t.group === group && t.version === version).map((t) => ({
      name: t.plural,
      singularName: t.kind.toLowerCase(),
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    })),
  });

  const handle = async (
    method: string,
    url: URL,
    headers: Record<string, string | string[] | undefined>,
    body: string,
  ): Promise<{ code: number; body: unknown; raw?: boolean }> => {
    if (options.failWith) {
      const code = options.failWith;
      return { code, body: status(code, `stand-in answers ${code} to everything`, REASONS[code] ?? "Error") };
    }
    if (headers.authorization !== `Bearer ${token}`) {
      return { code: 401, body: status(401, "Unauthorized", "Unauthorized") };
    }
    if (options.authorize && !options.authorize({ method, path: url.pathname })) {
      return {
        code: 403,
        body: status(403, `${method} ${url.pathname} is forbidden: the user may not do this`, "Forbidden"),
      };
    }
    const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (url.pathname === "/version") {
      return {
        code: 200,
        body: {
          major: "1",
          minor: "31",
          gitVersion: "v1.31.4-eks-standin",
          gitCommit: "0",
          gitTreeState: "clean",
          buildDate: "2026-01-01T00:00:00Z",
          goVersion: "go1.22",
          compiler: "gc",
          platform: "linux/amd64",
        },
      };
    }
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === "api" && segments.length >= 2) {
      group = "";
      version = segments[1]!;
      rest = segments.slice(2);
    } else if (segments[0] === "apis" && segments.length >= 3) {
      group = segments[1]!;
      version = segments[2]!;
      rest = segments.slice(3);
    } else {
      return { code: 404, body: status(404, `no route for ${url.pathname}`, "NotFound") };
    }
    if (rest.length === 0) return { code: 200, body: discovery(group, version) };

    const forward = async (upstream: string, subPath: string) => {
      const forwarded = await fetch(`${upstream}${subPath}${url.search}`, {
        method,
        ...(method === "POST"
          ? { body, headers: { "content-type": String(headers["content-type"] ?? "application/json") } }
          : {}),
      }).catch(() => undefined);
      if (!forwarded) {
        return {
          code: 503,
          body: status(503, `error trying to reach service: dial tcp ${upstream}`, "ServiceUnavailable"),
        };
      }
      return { code: forwarded.status, body: await forwarded.text(), raw: true };
    };

    // The proxies: namespaces/NS/{services,pods}/NAME[:PORT]/proxy/PATH...
    if (
      rest[0] === "namespaces" &&
      (rest[2] === "services" || rest[2] === "pods") &&
      rest.indexOf("proxy") === 4 &&
      (method === "GET" || method === "POST")
    ) {
      const ns = rest[1]!;
      const [name, port = ""] = rest[3]!.split(":");
      const target = `${ns}/${name}:${port}`;
      const subPath = `/${rest.slice(5).join("/")}`;

      if (rest[2] === "pods") {
        const found = store.get("v1", "Pod", name!, ns);
        if (!found) return { code: 404, body: status(404, `pods "${name}" not found`, "NotFound") };
        const phase = (found.status as { phase?: string } | undefined)?.phase;
        const upstream = options.podUpstreams?.[target];
        if (phase !== "Running" || !upstream) {
          return {
            code: 503,
            body: status(503, `error trying to reach pod ${name}:${port}`, "ServiceUnavailable"),
          };
        }
        return forward(upstream, subPath);
      }

      const handler = proxy[`${target}${subPath}`];
      // A handler for the exact path wins (a scenario breaking one endpoint); else a real upstream server.
      const upstream = handler ? undefined : options.proxyUpstreams?.[target];
      if (upstream) return forward(upstream, subPath);
      if (!handler) {
        return {
          code: 503,
          body: status(503, `no endpoints available for service "${name}"`, "ServiceUnavailable"),
        };
      }
      if (method !== "GET")
        return { code: 405, body: status(405, `${method} not served`, "MethodNotAllowed") };
      const answer =
        typeof handler === "function"
          ? handler({ namespace: ns, service: name!, port, path: subPath })
          : handler;
      return {
        code: answer.status,
        body: typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body),
        raw: true,
      };
    }

    let namespace: string | undefined;
    let plural: string;
    let name: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      namespace = rest[1];
      plural = rest[2]!;
      name = rest[3];
    } else {
      plural = rest[0]!;
      name = rest[1];
    }
    const type = RESOURCE_TYPES.find(
      (t) => t.group === group && t.version === version && t.plural === plural,
    );
    if (!type) return { code: 404, body: status(404, `the server could not find ${plural}`, "NotFound") };
    const apiVersion = apiVersionOf(type);
    const objectNamespace = type.namespaced ? namespace : undefined;

    if (!name) {
      if (method !== "GET")
        return { code: 405, body: status(405, `${method} on a list`, "MethodNotAllowed") };
      let items = store.list(apiVersion, type.kind);
      const predicates: Array<(o: KubeObject) => boolean> = [];
      if (namespace) predicates.push((o) => o.metadata.namespace === namespace);
      const labelSelector = url.searchParams.get("labelSelector");
      if (labelSelector) {
        const reqs = parseLabelSelector(labelSelector);
        predicates.push((o) => {
          const labels = (o.metadata.labels ?? {}) as Record<string, string>;
          return reqs.every((r) => r(labels));
        });
      }
      const fieldSelector = url.searchParams.get("fieldSelector");
      if (fieldSelector) predicates.push(...parseFieldSelector(fieldSelector));
      if (predicates.length > 0) items = items.filter((o) => predicates.every((p) => p(o)));
      const limit = Number(url.searchParams.get("limit") ?? "0");
      const token = url.searchParams.get("continue");
      const start = token ? decodeContinue(token) : 0;
      const end = limit > 0 ? Math.min(items.length, start + limit) : items.length;
      const page = items.slice(start, end);
      return {
        code: 200,
        body: {
          kind: `${type.kind}List`,
          apiVersion,
          metadata: {
            resourceVersion: store.nextRevision(),
            ...(end < items.length
              ? { continue: encodeContinue(end), remainingItemCount: items.length - end }
              : {}),
          },
          items: page.map((o) => ({ ...o, apiVersion: undefined, kind: undefined })),
        },
      };
    }

    if (method === "GET") {
      const found = store.get(apiVersion, type.kind, name, objectNamespace);
      if (!found) {
        return { code: 404, body: status(404, `${plural} "${name}" not found`, "NotFound") };
      }
      return { code: 200, body: found };
    }
    if (method === "DELETE") {
      const removed = store.remove(apiVersion, type.kind, name, objectNamespace);
      if (!removed) return { code: 404, body: status(404, `${plural} "${name}" not found`, "NotFound") };
      return {
        code: 200,
        body: {
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Success",
          details: { name, kind: plural },
        },
      };
    }
    if (method === "PATCH") {
      const contentType = String(headers["content-type"] ?? "");
      if (!contentType.startsWith("application/apply-patch+yaml")) {
        return {
          code: 415,
          body: status(415, `only server-side apply is served, not ${contentType}`, "UnsupportedMediaType"),
        };
      }
      const fieldManager = url.searchParams.get("fieldManager");
      if (!fieldManager) {
        return { code: 422, body: status(422, "fieldManager is required for apply requests", "Invalid") };
      }
      const applied = parseYaml(body) as KubeObject;
      if (applied?.metadata?.name !== name || applied.kind !== type.kind) {
        return { code: 422, body: status(422, "the body does not match the URL", "Invalid") };
      }
      const existing = store.get(apiVersion, type.kind, name, objectNamespace);
      const { status: _ignored, ...desired } = applied;
      const changed =
        !existing ||
        JSON.stringify(stripServerFields(existing)) !== JSON.stringify(stripServerFields(applied));
      const generation = ((existing?.metadata.generation as number | undefined) ?? 0) + (changed ? 1 : 0);
      const stored: KubeObject = {
        ...desired,
        apiVersion,
        kind: type.kind,
        metadata: {
          ...desired.metadata,
          ...(objectNamespace ? { namespace: objectNamespace } : {}),
          uid: existing?.metadata.uid ?? `uid-${Math.random().toString(36).slice(2)}`,
          creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString(),
          resourceVersion: changed ? store.nextRevision() : existing!.metadata.resourceVersion,
          generation,
          managedFields: [{ manager: fieldManager, operation: "Apply", apiVersion }],
        },
        ...(existing?.status ? { status: existing.status } : {}),
      };
      simulateRollout(stored, options);
      store.add(stored);
      return { code: existing ? 200 : 201, body: stored };
    }
    return { code: 405, body: status(405, `${method} not served`, "MethodNotAllowed") };
  };

  const server = https.createServer({ key: certs.keyPem, cert: certs.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", "https://127.0.0.1");
        requests.count += 1;
        log.push({
          method: req.method ?? "GET",
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          ...(req.headers["content-type"] ? { contentType: req.headers["content-type"] } : {}),
        });
        if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
        let answer: { code: number; body: unknown; raw?: boolean };
        try {
          answer = await handle(
            req.method ?? "GET",
            url,
            req.headers,
            Buffer.concat(chunks).toString("utf8"),
          );
        } catch (error) {
          answer = { code: 500, body: status(500, String(error), "InternalError") };
        }
        const text = answer.raw ? String(answer.body) : JSON.stringify(answer.body);
        res.writeHead(answer.code, {
          "content-type": answer.raw ? "text/plain" : "application/json",
          "content-length": Buffer.byteLength(text),
        });
        res.end(text);
      })();
    });
  });
  const tunnels = new Set<Duplex>();
  server.on("upgrade", (req, socket: Duplex) => {
    tunnels.add(socket);
    socket.on("close", () => tunnels.delete(socket));
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    requests.count += 1;
    log.push({ method: "UPGRADE", path: url.pathname, query: Object.fromEntries(url.searchParams) });
    const refuse = (code: number, text: string) => {
      socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Length: 0\r\n\r\n`);
    };
    if (options.failWith) return refuse(options.failWith, REASONS[options.failWith] ?? "Error");
    if (req.headers.authorization !== `Bearer ${token}`) return refuse(401, "Unauthorized");
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
    const port = Number(url.searchParams.get("ports"));
    const upstreamPort = m ? options.portForward?.[`${m[1]}/${m[2]}:${port}`] : undefined;
    if (!m || upstreamPort === undefined) return refuse(404, "Not Found");
    const accept = createHash("sha1")
      .update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n`,
    );
    // Each stream starts with the port number: data on channel 0, errors on channel 1.
    socket.write(wsFrame(portBytes(0, port)));
    socket.write(wsFrame(portBytes(1, port)));
    const upstream = net.connect(upstreamPort, "127.0.0.1");
    upstream.on("data", (data: Buffer) => socket.write(wsFrame(Buffer.concat([Buffer.from([0]), data]))));
    upstream.on("close", () => socket.end(wsFrame(Buffer.alloc(0), 0x8)));
    upstream.on("error", () => socket.destroy());
    socket.on(
      "data",
      wsReader((opcode, payload) => {
        if (opcode === 0x8) {
          upstream.end();
          socket.end();
        } else if (opcode === 0x9) {
          socket.write(wsFrame(payload, 0xa));
        } else if ((opcode === 0x2 || opcode === 0x1) && payload[0] === 0 && payload.length > 1) {
          upstream.write(payload.subarray(1));
        }
      }),
    );
    socket.on("error", () => upstream.destroy());
    socket.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const caData = Buffer.from(certs.caPem).toString("base64");
  const contextName = "standin";

  let written = 0;
  const writeKubeconfig: KubeStandin["writeKubeconfig"] = async (overrides = {}) => {
    written += 1;
    const context = overrides.contextName ?? contextName;
    const file = path.join(dir, written === 1 ? "kubeconfig" : `kubeconfig-${written}`);
    const doc = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        {
          name: context,
          cluster: {
            server: overrides.server ?? url,
            "certificate-authority-data": overrides.caData ?? caData,
          },
        },
      ],
      users: [{ name: context, user: { token: overrides.token ?? token } }],
      contexts: [{ name: context, context: { cluster: context, user: context } }],
      "current-context": context,
    };
    await writeFile(file, stringify(doc), { mode: 0o600 });
    return file;
  };
  const kubeconfigPath = await writeKubeconfig();

  return {
    url,
    kubeconfigPath,
    token,
    caData,
    contextName,
    store,
    requests,
    proxy,
    writeKubeconfig,
    async stop() {
      server.closeAllConnections();
      for (const socket of tunnels) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function stripServerFields(object: KubeObject): unknown {
  const { status: _s, metadata, ...rest } = object;
  const {
    uid: _u,
    resourceVersion: _r,
    generation: _g,
    creationTimestamp: _c,
    managedFields: _m,
    ...meta
  } = metadata;
  return { ...rest, metadata: meta };
}

/**
 * Talking to Triton's HTTP/REST API (docs/protocol/README.md, the KServe v2 predict protocol, and
 * docs/protocol/extension_model_repository.md of triton-inference-server/server), either directly (--url)
 * or through the Kubernetes API server's service proxy. Request building and response checks are pure.
 */
import { ExternalError, messageOf, UserError } from "../errors.js";
import { FORWARD_TARGETS, readyPods } from "../k8s/port-forward.js";
import type { KubeClient, V1Pod } from "../k8s/types.js";

export interface TritonAnswer {
  status: number;
  body: string;
}

export interface TritonTransport {
  /** Where requests go, for messages: a URL or "service NS/triton:8000 via the Kubernetes API". */
  address: string;
  /** The one Triton pod this reaches, when it goes through that pod's proxy. */
  pod?: string;
  request(method: "GET" | "POST", path: string, body?: unknown): Promise<TritonAnswer>;
}

/** Plain HTTP to Triton's port (a port-forward or a load balancer). Unreachable is exit 3, naming the address. */
export function directTransport(url: string, timeoutMs = 30_000): TritonTransport {
  let base: URL;
  try {
    base = new URL(url);
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error("not http");
  } catch {
    throw new UserError(`--url ${url} is not an http:// or https:// URL.`, {
      code: "models.bad-url",
      suggestion: "Give Triton's HTTP port: --url http://127.0.0.1:8000",
    });
  }
  const root = base.toString().replace(/\/$/, "");
  return {
    address: root,
    async request(method, path, body) {
      try {
        const res = await fetch(`${root}${path}`, {
          method,
          signal: AbortSignal.timeout(timeoutMs),
          ...(body === undefined
            ? {}
            : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
        });
        return { status: res.status, body: await res.text() };
      } catch (error) {
        throw new ExternalError(
          `Triton at ${root} is unreachable: ${messageOf((error as { cause?: unknown }).cause ?? error)}.`,
          {
            code: "models.triton-unreachable",
            suggestion: "Check the address, or start a port-forward: `triton-ops port-forward triton`.",
          },
        );
      }
    },
  };
}

/** Through the API server's service proxy to the triton Service, as verify's triton.ready goes. */
export function proxyTransport(
  kube: KubeClient,
  namespace: string,
  service = "triton",
  port = 8000,
): TritonTransport {
  const address = `service ${namespace}/${service}:${port} through the Kubernetes API`;
  return {
    address,
    request: viaProxy(address, (method, path, body) => {
      if (kube.proxyRequest) return kube.proxyRequest(namespace, service, port, method, path, body);
      if (method !== "GET") throw new Error("this Kubernetes client cannot POST through the service proxy");
      return kube.proxyGet(namespace, service, port, path);
    }),
  };
}

/**
 * One transport per Triton replica (each Running and Ready pod behind the Service), through the API
 * server's pod proxy, so a load reaches every replica rather than the one the Service picks. Empty when the
 * client has no pod proxy or fewer than two replicas are ready: one replica is what the Service reaches.
 * `listed`, when the caller has the namespace's pods already, saves the listing.
 */
export async function replicaTransports(
  kube: KubeClient,
  namespace: string,
  listed?: readonly V1Pod[],
  app = FORWARD_TARGETS.triton.app,
  port = FORWARD_TARGETS.triton.port,
): Promise<TritonTransport[]> {
  const podProxy = kube.podProxyRequest?.bind(kube);
  if (!podProxy) return [];
  const ofApp = listed
    ? listed.filter((p) => p.metadata?.labels?.["app.kubernetes.io/name"] === app)
    : await kube.listPods({ namespace, labelSelector: `app.kubernetes.io/name=${app}` });
  const pods = readyPods(ofApp);
  const names = pods.map((p) => p.metadata?.name ?? "").filter((n) => n !== "");
  if (names.length < 2) return [];
  return names.sort().map((pod) => {
    const address = `pod ${namespace}/${pod}:${port} through the Kubernetes API`;
    return {
      address,
      pod,
      request: viaProxy(address, (method, path, body) => podProxy(namespace, pod, port, method, path, body)),
    };
  });
}

/**
 * The transports that reach every Triton replica that serves: one per ready pod (replicaTransports), or the
 * Service alone when there is only one replica (or no pod proxy). The one rule of `models status`, the
 * explicit-mode loads and verify's `triton.models`.
 */
export async function servingTransports(
  kube: KubeClient,
  namespace: string,
  listed?: readonly V1Pod[],
): Promise<TritonTransport[]> {
  const replicas = await replicaTransports(kube, namespace, listed);
  return replicas.length > 0 ? replicas : [proxyTransport(kube, namespace)];
}

/** A transport's request over one of the API server's proxies: a JSON body, and "no endpoints" as unreachable. */
function viaProxy(
  address: string,
  send: (method: "GET" | "POST", path: string, body?: string) => Promise<TritonAnswer>,
): TritonTransport["request"] {
  return async (method, path, body) =>
    unreachableIfNoEndpoints(
      await send(method, path, body === undefined ? undefined : JSON.stringify(body)),
      address,
    );
}

function unreachableIfNoEndpoints(answer: TritonAnswer, address: string): TritonAnswer {
  // 503 with a Kubernetes Status body means the API server found no pod behind the Service.
  if (answer.status === 503 && /"kind"\s*:\s*"Status"/.test(answer.body)) {
    throw new ExternalError(`Triton at ${address} is unreachable: ${statusMessage(answer.body)}.`, {
      code: "models.triton-unreachable",
      suggestion: "Check the Triton pods: `kubectl -n triton get pods` and `triton-ops doctor`.",
    });
  }
  return answer;
}

function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string; error?: string };
    return parsed.error ?? parsed.message ?? body;
  } catch {
    return body.trim() || "(empty answer)";
  }
}

export interface IndexEntry {
  name: string;
  version?: string;
  state?: string;
  reason?: string;
}

export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  versions?: string[];
  platform?: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

export interface InferTensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

function parseJson<T>(answer: TritonAnswer, what: string, address: string): T {
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new ExternalError(`Triton at ${address} answered ${what} with something that is not JSON.`, {
      code: "models.triton-bad-answer",
    });
  }
}

/** POST /v2/repository/index: every model Triton's repository holds, with its state. */
export async function repositoryIndex(t: TritonTransport): Promise<IndexEntry[]> {
  const answer = await t.request("POST", "/v2/repository/index", {});
  if (answer.status !== 200) {
    throw new ExternalError(
      `Triton at ${t.address} refused the repository index (${answer.status}): ${statusMessage(answer.body)}.`,
      {
        code: "models.triton-error",
      },
    );
  }
  return parseJson<IndexEntry[]>(answer, "the repository index", t.address);
}

/** Refuses a name the repository index does not list: exit 2, before anything is asked of the model. */
export async function requireKnownModel(t: TritonTransport, name: string): Promise<IndexEntry> {
  const index = await repositoryIndex(t);
  const entry = index.find((e) => e.name === name);
  if (!entry) {
    throw new UserError(`Triton at ${t.address} has no model "${name}" in its repository.`, {
      code: "models.unknown-model",
      suggestion:
        index.length > 0
          ? `Models: ${index.map((e) => e.name).join(", ")}.`
          : "Its repository is empty: run `triton-ops models sync`.",
    });
  }
  return entry;
}

export async function modelReady(t: TritonTransport, name: string): Promise<boolean> {
  const answer = await t.request("GET", `/v2/models/${encodeURIComponent(name)}/ready`);
  return answer.status === 200;
}

/** POST .../load or .../unload; Triton's own error message when it refuses. */
export async function loadOrUnload(
  t: TritonTransport,
  name: string,
  action: "load" | "unload",
): Promise<void> {
  const answer = await t.request("POST", `/v2/repository/models/${encodeURIComponent(name)}/${action}`, {});
  if (answer.status !== 200) {
    const message = statusMessage(answer.body);
    const explicitOnly = /polling is enabled|explicit model load/i.test(message);
    throw new (explicitOnly ? UserError : ExternalError)(
      `Triton at ${t.address} refused to ${action} ${name}: ${message}`,
      {
        code: explicitOnly ? "models.not-explicit" : "models.load-failed",
        ...(explicitOnly
          ? { suggestion: "Set triton.modelControlMode: explicit and run `up --stage workloads`." }
          : {}),
      },
    );
  }
}

export async function modelMetadata(t: TritonTransport, name: string): Promise<ModelMetadata> {
  const answer = await t.request("GET", `/v2/models/${encodeURIComponent(name)}`);
  if (answer.status !== 200) {
    throw new ExternalError(
      `Triton at ${t.address} gave no metadata for ${name} (${answer.status}): ${statusMessage(answer.body)}`,
      {
        code: "models.not-ready",
        suggestion: `Load it first: \`triton-ops models load ${name}\`, and see \`triton-ops models status\`.`,
      },
    );
  }
  return parseJson<ModelMetadata>(answer, `the metadata of ${name}`, t.address);
}

const ZERO: Record<string, unknown> = { BOOL: false, BYTES: "" };

/** Pure: one request from the metadata, every -1 (the batch dimension included) set to 1, data all zero. */
export function buildInferRequest(metadata: ModelMetadata): {
  inputs: InferTensor[];
  outputs: Array<{ name: string }>;
} {
  return {
    inputs: metadata.inputs.map((t) => {
      const shape = t.shape.map((d) => (d === -1 ? 1 : d));
      const count = shape.reduce((n, d) => n * d, 1);
      return {
        name: t.name,
        datatype: t.datatype,
        shape,
        data: new Array(count).fill(ZERO[t.datatype] ?? 0),
      };
    }),
    outputs: metadata.outputs.map((t) => ({ name: t.name })),
  };
}

/** Pure: what is wrong with a response against the metadata (names, datatypes, shapes); empty when right. */
export function checkInferResponse(metadata: ModelMetadata, response: unknown): string[] {
  const problems: string[] = [];
  const outputs = (response as { outputs?: InferTensor[] } | undefined)?.outputs;
  if (!Array.isArray(outputs)) return ["the response has no outputs"];
  for (const expected of metadata.outputs) {
    const got = outputs.find((o) => o.name === expected.name);
    if (!got) {
      problems.push(`output ${expected.name} is missing`);
      continue;
    }
    if (got.datatype !== expected.datatype)
      problems.push(`output ${expected.name} is ${got.datatype}, metadata says ${expected.datatype}`);
    const shape = Array.isArray(got.shape) ? got.shape : [];
    if (shape.length !== expected.shape.length || expected.shape.some((d, i) => d !== -1 && d !== shape[i])) {
      problems.push(
        `output ${expected.name} has shape [${shape.join(",")}], metadata says [${expected.shape.join(",")}]`,
      );
    }
  }
  for (const o of outputs) {
    if (!metadata.outputs.some((e) => e.name === o.name))
      problems.push(`output ${o.name} is not in the metadata`);
  }
  return problems;
}

export interface InferResult {
  model: string;
  ok: boolean;
  latencyMs: number;
  status: number;
  problems: string[];
  outputs: Array<{ name: string; datatype: string; shape: number[] }>;
}

/** One inference: metadata, request (built or given), response checked against the metadata. */
export async function inferOnce(
  t: TritonTransport,
  name: string,
  request?: unknown,
  now: () => number = () => performance.now(),
): Promise<InferResult> {
  const metadata = await modelMetadata(t, name);
  const body = request ?? buildInferRequest(metadata);
  const started = now();
  const answer = await t.request("POST", `/v2/models/${encodeURIComponent(name)}/infer`, body);
  const latencyMs = Math.round((now() - started) * 10) / 10;
  if (answer.status !== 200) {
    return {
      model: name,
      ok: false,
      latencyMs,
      status: answer.status,
      problems: [statusMessage(answer.body)],
      outputs: [],
    };
  }
  const response = parseJson<{ outputs?: InferTensor[] }>(answer, `the inference of ${name}`, t.address);
  const problems = checkInferResponse(metadata, response);
  return {
    model: name,
    ok: problems.length === 0,
    latencyMs,
    status: answer.status,
    problems,
    outputs: (response.outputs ?? []).map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape })),
  };
}

export interface StatusResult {
  address: string;
  ok: boolean;
  models: Array<{ name: string; version?: string; state: string; reason: string; ready: boolean }>;
  /** With more than one replica: how each pod fared (models not READY there, by name). */
  replicas?: Array<{ pod: string; ok: boolean; notReady: string[] }>;
}

/**
 * Every replica's status as one (each transport one pod): a model is READY only where every replica has
 * it READY, and one that is not names the first pod it is not READY on.
 */
export async function modelsStatusAll(transports: readonly TritonTransport[]): Promise<StatusResult> {
  const [only] = transports;
  if (transports.length === 1 && only) return modelsStatus(only);
  const each = await Promise.all(
    transports.map(async (t) => ({ pod: t.pod ?? t.address, status: await modelsStatus(t) })),
  );
  return mergeStatuses(each);
}

/** Pure: one status from each replica's, by the rule of modelsStatusAll. */
export function mergeStatuses(replicas: ReadonlyArray<{ pod: string; status: StatusResult }>): StatusResult {
  const names = [...new Set(replicas.flatMap((r) => r.status.models.map((m) => m.name)))].sort();
  const merged = acrossReplicas(
    replicas.map((r) => ({ pod: r.pod, models: r.status.models })),
    names,
    "not in this replica's repository index",
  );
  return { ...merged, ok: merged.models.every((m) => m.ready) };
}

/** A model as one replica reports it. */
export interface ReplicaModel {
  name: string;
  state: string;
  reason: string;
  ready: boolean;
}

/**
 * Pure: the one rule for several replicas' views of the named models. A model is READY only when every
 * replica has it READY. Otherwise it is shown as the first replica that does not (MISSING where that replica
 * lists no such model, with `missingReason`), its reason prefixed with the pod. Each replica's own summary
 * names the models not READY there.
 */
export function acrossReplicas<M extends ReplicaModel>(
  replicas: ReadonlyArray<{ pod: string; models: readonly M[] }>,
  names: readonly string[],
  missingReason: string,
): { address: string; models: M[]; replicas: Array<{ pod: string; ok: boolean; notReady: string[] }> } {
  const models = names.map((name) => {
    let first: M | undefined;
    for (const { pod, models: listed } of replicas) {
      const there = listed.find((m) => m.name === name);
      first ??= there;
      if (!there?.ready) {
        const reason = there ? there.reason : missingReason;
        return {
          ...(there ?? first),
          name,
          state: there?.state ?? "MISSING",
          ready: false,
          reason: `on pod ${pod}${reason ? `: ${reason}` : ""}`,
        } as M;
      }
    }
    // Every replica lists it READY, so the first one did.
    return first as M;
  });
  const pods = replicas.map((r) => r.pod);
  return {
    address: `${pods.length} Triton replicas (pods ${pods.join(", ")})`,
    models,
    replicas: replicas.map(({ pod, models: listed }) => {
      const notReady = names.filter((n) => !listed.find((m) => m.name === n)?.ready);
      return { pod, ok: notReady.length === 0, notReady };
    }),
  };
}

/** The repository index joined with per-model readiness. */
export async function modelsStatus(t: TritonTransport): Promise<StatusResult> {
  const index = await repositoryIndex(t);
  const models = await Promise.all(
    index.map(async (e) => ({
      name: e.name,
      ...(e.version ? { version: e.version } : {}),
      state: e.state ?? "UNKNOWN",
      reason: e.reason ?? "",
      ready: await modelReady(t, e.name),
    })),
  );
  return { address: t.address, ok: models.every((m) => m.ready), models };
}

// A stand-in for Triton Inference Server's HTTP/REST endpoint, written from Triton's protocol documents
// (triton-inference-server/server):
//   - docs/protocol/README.md and the KServe v2 predict protocol it adopts (required_api.md):
//     GET /v2/health/live, /v2/health/ready, /v2/models/NAME[/versions/V][/ready],
//     POST /v2/models/NAME[/versions/V]/infer with JSON tensors {name, shape, datatype, data};
//     errors answer a 4xx status with {"error": "<message>"};
//   - docs/protocol/extension_model_repository.md: POST /v2/repository/index ({"ready": bool} filter) answers
//     [{name, version, state, reason}], POST /v2/repository/models/NAME/load and /unload;
//   - docs/user_guide/model_management.md: load and unload are refused unless --model-control-mode=explicit;
//     explicit mode loads nothing at start unless --load-model=* (`loadAll`), and a load reads the model's
//     files again (a model added to the repository after start can be loaded); poll mode rescans the
//     repository every --repository-poll-secs (`pollSecs`), loading new and changed models and dropping
//     removed ones, and a failed reload of a READY model leaves the loaded one serving. A model that fails
//     to load is UNAVAILABLE with Triton's reason in the repository index, and a failed load answers 400.
// The repository is a local directory; `refresh` runs before each load and each poll to bring it up to date
// from where the real server would read it (the tests copy s3://bucket/prefix from the emulator, as Triton
// itself downloads an S3 repository to a local directory before loading).
// Models come from a real model repository directory, read with the product's own config.pbtxt reader, so
// the metadata (inputs, outputs, a leading -1 for batching models) follows the files. It refuses what Triton
// refuses: an unknown model, a model that is not READY, a missing input, a wrong datatype or shape, a data
// array whose length does not match the shape. Inference echoes input i to output i when their datatypes
// agree (the sample identity model), else answers zeros of the output's shape.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Message } from "../../src/models/decode.js";
import { decodeModelConfig } from "../../src/models/decode.js";
import { readRepository } from "../../src/models/repository.js";

export type ModelState = "READY" | "UNAVAILABLE" | "LOADING" | "UNLOADING";

interface TensorSpec {
  name: string;
  datatype: string;
  dims: number[];
  optional: boolean;
}

interface StandinModel {
  name: string;
  platform: string;
  versions: number[];
  maxBatchSize: number;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  state: ModelState;
  reason: string;
}

export interface TritonStandinOptions {
  /** --model-control-mode: "none" and "poll" load everything at start; "explicit" loads nothing. */
  controlMode?: "none" | "poll" | "explicit";
  /** Models whose load fails, with the reason Triton would give (a backend error lint cannot see). */
  failLoad?: Record<string, string>;
  /** explicit mode: --load-model=*, load every model at start. */
  loadAll?: boolean;
  /** poll mode: --repository-poll-secs; 0 (the default) polls never, as Triton with the option at 0. */
  pollSecs?: number;
  /** Brings the repository directory up to date before each load and poll. */
  refresh?: () => Promise<void>;
  /** A fixed service time: every infer answer waits this long (load tests). */
  serviceTimeMs?: number;
}

export interface TritonStandin {
  url: string;
  port: number;
  models: Map<string, StandinModel>;
  requests: Array<{ method: string; path: string }>;
  stop(): Promise<void>;
}

/** Triton's config data types as the v2 protocol spells them (TYPE_STRING travels as BYTES). */
function wireType(dataType: unknown): string {
  const t = String(dataType ?? "TYPE_INVALID").replace(/^TYPE_/, "");
  return t === "STRING" ? "BYTES" : t;
}

function tensors(list: unknown): TensorSpec[] {
  return (Array.isArray(list) ? (list as Message[]) : []).map((t) => ({
    name: String(t.name ?? ""),
    datatype: wireType(t.data_type),
    dims: (t.dims as number[] | undefined) ?? [],
    optional: t.optional === true,
  }));
}

export async function startTritonStandin(
  repository: string,
  options: TritonStandinOptions = {},
): Promise<TritonStandin> {
  const mode = options.controlMode ?? "poll";
  const models = new Map<string, StandinModel>();
  const load = (m: StandinModel, fresh: StandinModel) => {
    const failure = options.failLoad?.[m.name];
    // A failed reload leaves the READY model as it was (model_management.md, explicit and poll modes alike).
    if (failure && m.state === "READY") return false;
    Object.assign(m, fresh, { state: failure ? "UNAVAILABLE" : "READY", reason: failure ?? "" });
    return !failure;
  };
  /** The repository as it is on disk now, one model per directory. */
  const scan = async (): Promise<Map<string, StandinModel>> => {
    const found = new Map<string, StandinModel>();
    const snapshot = await readRepository(repository).catch(() => ({ models: [] }));
    for (const dir of snapshot.models) {
      const config = dir.configText === undefined ? {} : decodeModelConfig(dir.configText).config;
      found.set(dir.name, {
        name: dir.name,
        platform: String(config.platform ?? config.backend ?? ""),
        versions: dir.versions.map((v) => v.version),
        maxBatchSize: typeof config.max_batch_size === "number" ? config.max_batch_size : 0,
        inputs: tensors(config.input),
        outputs: tensors(config.output),
        state: "UNAVAILABLE",
        reason: "unloaded",
      });
    }
    return found;
  };
  /** Explicit mode's index lists what the repository holds, loaded or not. */
  const track = (found: Map<string, StandinModel>) => {
    for (const [name, fresh] of found) if (!models.has(name)) models.set(name, fresh);
    for (const [name, m] of models) if (!found.has(name) && m.state !== "READY") models.delete(name);
  };
  const poll = async () => {
    await options.refresh?.();
    const found = await scan();
    for (const [name, fresh] of found) {
      const m = models.get(name) ?? fresh;
      models.set(name, m);
      load(m, fresh);
    }
    for (const name of models.keys()) if (!found.has(name)) models.delete(name);
  };
  const initial = await scan();
  if (mode !== "explicit" || options.loadAll) {
    for (const [name, fresh] of initial) {
      models.set(name, fresh);
      load(fresh, { ...fresh });
    }
  } else {
    track(initial);
  }
  let polling = false;
  const timer =
    mode === "poll" && (options.pollSecs ?? 0) > 0
      ? setInterval(() => {
          if (polling) return;
          polling = true;
          void poll().finally(() => {
            polling = false;
          });
        }, options.pollSecs! * 1000)
      : undefined;
  const requests: TritonStandin["requests"] = [];

  const metadataShape = (m: StandinModel, dims: number[]) => (m.maxBatchSize > 0 ? [-1, ...dims] : dims);
  const error = (status: number, message: string) => ({ status, body: { error: message } });
  const unknown = (name: string) => error(400, `Request for unknown model: '${name}' is not found`);

  const infer = (m: StandinModel, body: unknown) => {
    if (m.state !== "READY")
      return error(400, `Request for unknown model: '${m.name}' has no available versions`);
    const request = body as {
      inputs?: Array<{ name?: string; shape?: number[]; datatype?: string; data?: unknown[] }>;
      outputs?: Array<{ name?: string }>;
    };
    if (!request || !Array.isArray(request.inputs))
      return error(400, "Unable to parse 'inputs': attempt to access non-existent array");
    const given = new Map(request.inputs.map((t) => [t.name, t]));
    for (const spec of m.inputs) {
      const t = given.get(spec.name);
      if (!t) {
        if (spec.optional) continue;
        return error(
          400,
          `[request id: <id_unknown>] expected ${m.inputs.length} inputs but got ${request.inputs.length} inputs for model '${m.name}'. Got input(s) [${[...given.keys()].join(",")}], but missing required input(s) ['${spec.name}']`,
        );
      }
      if (t.datatype !== spec.datatype) {
        return error(
          400,
          `[request id: <id_unknown>] inference input '${spec.name}' data-type is '${t.datatype}', but model '${m.name}' expects '${spec.datatype}'`,
        );
      }
      const shape = t.shape ?? [];
      const expected = metadataShape(m, spec.dims);
      const batchOk = m.maxBatchSize === 0 || ((shape[0] ?? 0) >= 1 && (shape[0] ?? 0) <= m.maxBatchSize);
      const dimsOk = shape.length === expected.length && expected.every((d, i) => d === -1 || d === shape[i]);
      if (!batchOk || !dimsOk || shape.some((d) => !Number.isInteger(d) || d < 0)) {
        return error(
          400,
          `[request id: <id_unknown>] unexpected shape for input '${spec.name}' for model '${m.name}'. Expected [${expected.join(",")}], got [${shape.join(",")}]`,
        );
      }
      const count = shape.reduce((n, d) => n * d, 1);
      const data = Array.isArray(t.data) ? t.data.flat(Number.POSITIVE_INFINITY) : undefined;
      if (!data || data.length !== count) {
        return error(
          400,
          `Unable to parse 'data': shape [${shape.join(",")}] expects ${count} elements, got ${data?.length ?? 0}`,
        );
      }
    }
    for (const name of given.keys()) {
      if (!m.inputs.some((s) => s.name === name))
        return error(400, `unexpected inference input '${name}' for model '${m.name}'`);
    }
    const wanted = request.outputs?.map((o) => o.name) ?? m.outputs.map((o) => o.name);
    const outputs = [];
    for (const name of wanted) {
      const index = m.outputs.findIndex((o) => o.name === name);
      const spec = m.outputs[index];
      if (!spec) return error(400, `unexpected inference output '${name}' for model '${m.name}'`);
      const source = request.inputs[index];
      if (source && m.inputs[index]?.datatype === spec.datatype) {
        outputs.push({ name, datatype: spec.datatype, shape: source.shape, data: source.data });
      } else {
        const batch = m.maxBatchSize > 0 ? [request.inputs[0]?.shape?.[0] ?? 1] : [];
        const shape = [...batch, ...spec.dims.map((d) => (d === -1 ? 1 : d))];
        const n = shape.reduce((a, d) => a * d, 1);
        outputs.push({
          name,
          datatype: spec.datatype,
          shape,
          data: new Array(n).fill(spec.datatype === "BYTES" ? "" : 0),
        });
      }
    }
    return {
      status: 200,
      body: { model_name: m.name, model_version: String(m.versions.at(-1) ?? 1), outputs },
    };
  };

  const route = async (
    method: string,
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: unknown }> => {
    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    if (parts[0] !== "v2") return error(404, "Not Found");
    if (method === "GET" && parts[1] === "health" && parts.length === 3) {
      if (parts[2] === "live" || parts[2] === "ready") return { status: 200, body: "" };
    }
    if (method === "POST" && parts[1] === "repository") {
      if (parts[2] === "index" && parts.length === 3) {
        if (mode === "explicit") track(await scan());
        const readyOnly = (body as { ready?: boolean } | undefined)?.ready === true;
        return {
          status: 200,
          body: [...models.values()]
            .filter((m) => !readyOnly || m.state === "READY")
            .map((m) => ({
              name: m.name,
              ...(m.state === "READY" ? { version: String(m.versions.at(-1) ?? 1) } : {}),
              state: m.state,
              reason: m.reason,
            })),
        };
      }
      if (parts[2] === "models" && parts.length === 5 && (parts[4] === "load" || parts[4] === "unload")) {
        const name = parts[3] as string;
        if (mode !== "explicit")
          return error(400, "explicit model load / unload is not allowed if polling is enabled");
        if (parts[4] === "load") {
          await options.refresh?.();
          const found = await scan();
          track(found);
          const fresh = found.get(name);
          const m = models.get(name);
          if (!fresh || !m)
            return error(400, `failed to load '${name}', failed to poll from model repository`);
          return load(m, fresh)
            ? { status: 200, body: "" }
            : error(400, `load failed for model '${name}': ${options.failLoad?.[name]}`);
        }
        const m = models.get(name);
        if (!m) return error(400, `failed to unload '${name}', no version is available`);
        m.state = "UNAVAILABLE";
        m.reason = "unloaded";
        return { status: 200, body: "" };
      }
    }
    if (parts[1] === "models" && parts.length >= 3) {
      const name = parts[2] as string;
      let rest = parts.slice(3);
      const m = models.get(name);
      if (!m) return unknown(name);
      if (rest[0] === "versions") {
        const version = Number(rest[1]);
        if (!m.versions.includes(version))
          return error(400, `Request for unknown model: '${name}' version ${rest[1]} is not found`);
        rest = rest.slice(2);
      }
      if (method === "GET" && rest.length === 0) {
        if (m.state !== "READY")
          return error(400, `Request for unknown model: '${name}' has no available versions`);
        return {
          status: 200,
          body: {
            name,
            versions: m.versions.map(String),
            platform: m.platform,
            inputs: m.inputs.map((t) => ({
              name: t.name,
              datatype: t.datatype,
              shape: metadataShape(m, t.dims),
            })),
            outputs: m.outputs.map((t) => ({
              name: t.name,
              datatype: t.datatype,
              shape: metadataShape(m, t.dims),
            })),
          },
        };
      }
      if (method === "GET" && rest.length === 1 && rest[0] === "ready") {
        return m.state === "READY" ? { status: 200, body: "" } : error(400, `model '${name}' is not ready`);
      }
      if (method === "POST" && rest.length === 1 && rest[0] === "infer") return infer(m, body);
    }
    return error(404, "Not Found");
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      requests.push({ method: req.method ?? "GET", path: url.pathname });
      let body: unknown;
      const text = Buffer.concat(chunks).toString("utf8");
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          const answer = JSON.stringify({ error: "failed to parse the request JSON buffer: Invalid value." });
          res.writeHead(400, { "content-type": "application/json" }).end(answer);
          return;
        }
      }
      void route(req.method ?? "GET", url.pathname, body).then((answer) => {
        const out = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
        const send = () => {
          res.writeHead(answer.status, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(out),
          });
          res.end(out);
        };
        if (options.serviceTimeMs && url.pathname.endsWith("/infer")) setTimeout(send, options.serviceTimeMs);
        else send();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    models,
    requests,
    stop: () => {
      if (timer) clearInterval(timer);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

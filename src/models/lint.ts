/**
 * What Triton checks when it loads a model, checked before the model reaches Triton. Rules follow
 * docs/user_guide/model_configuration.md (triton-inference-server/server) and the field comments of
 * model_config.proto (triton-inference-server/common). Pure: the repository was read by repository.ts.
 */
import { type Decoded, decodeModelConfig, type Message } from "./decode.js";
import type { ModelDirectory, RepositorySnapshot } from "./repository.js";
import type { Position } from "./textproto.js";

export type LintSeverity = "error" | "warning";

export interface LintFinding {
  code: string;
  severity: LintSeverity;
  message: string;
  /** Path relative to the repository root. */
  file: string;
  line?: number;
  col?: number;
}

export interface ModelReport {
  name: string;
  path: string;
  platform?: string;
  backend?: string;
  versions: number[];
  findings: LintFinding[];
}

export interface LintResult {
  ok: boolean;
  root: string;
  models: ModelReport[];
}

export interface LintOptions {
  /** GPUs on each GPU node; undefined when not known, which turns the GPU id check into a warning. */
  gpusPerNode?: number;
  /** Where the GPU count came from, for messages ("--gpus-per-node", "g5.xlarge"). */
  gpuSource?: string;
}

/** Every finding code lint can report, with its severity: the README's table lists the same. */
export const LINT_CODES: Record<string, LintSeverity> = {
  "config.missing": "warning",
  "config.parse": "error",
  "config.unknown-field": "error",
  "config.wrong-type": "error",
  "config.unknown-enum": "error",
  "config.duplicate-field": "error",
  "basics.name-mismatch": "error",
  "basics.no-backend": "warning",
  "basics.max-batch-size": "error",
  "basics.tensor-name": "error",
  "basics.data-type": "error",
  "basics.dims": "error",
  "reshape.element-count": "error",
  "reshape.variable-dims": "error",
  "reshape.empty-shape": "error",
  "instance-group.cpu-gpus": "error",
  "instance-group.gpu-id": "error",
  "instance-group.gpu-count-unknown": "warning",
  "instance-group.count": "error",
  "sequence.control-kind-repeated": "error",
  "sequence.control-kinds-per-tensor": "error",
  "sequence.control-values": "error",
  "dynamic-batching.priority": "error",
  "dynamic-batching.preferred-size": "error",
  "dynamic-batching.preserve-ordering": "warning",
  "batch-io.source": "error",
  "batch-io.source-count": "error",
  "batch-io.target": "error",
  "batch-io.data-type": "error",
  "ensemble.missing-model": "error",
  "ensemble.unknown-tensor": "error",
  "ensemble.unmapped-input": "error",
  "ensemble.mismatch": "error",
  "ensemble.cycle": "error",
  "ensemble.duplicate-output": "error",
  "ensemble.unproduced-output": "error",
  "ensemble.unused-input": "error",
  "ensemble.not-allowed": "error",
  "files.no-versions": "error",
  "files.no-model-file": "error",
  "files.label-missing": "error",
};

/** Default model file names per platform and backend (model_repository.md, "Model Files"). */
const DEFAULT_FILES: Record<string, string> = {
  tensorrt_plan: "model.plan",
  tensorrt: "model.plan",
  tensorflow_graphdef: "model.graphdef",
  tensorflow_savedmodel: "model.savedmodel",
  tensorflow: "model.savedmodel",
  onnxruntime_onnx: "model.onnx",
  onnxruntime: "model.onnx",
  pytorch_libtorch: "model.pt",
  pytorch: "model.pt",
  python: "model.py",
  openvino: "model.xml",
  dali: "model.dali",
};

interface Tensor {
  name?: string;
  data_type?: string;
  dims?: number[];
  reshape?: { shape?: number[] };
  label_filename?: string;
  optional?: boolean;
}

interface Parsed {
  dir: ModelDirectory;
  decoded: Decoded | undefined;
  config: Message;
}

const asArray = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
const elementCount = (shape: number[]): number => shape.reduce((n, d) => n * d, 1);
const shapeText = (shape: number[] | undefined): string => `[${(shape ?? []).join(", ")}]`;

export function lintRepository(snapshot: RepositorySnapshot, options: LintOptions = {}): LintResult {
  const parsed: Parsed[] = snapshot.models.map((dir) => {
    const decoded = dir.configText === undefined ? undefined : decodeModelConfig(dir.configText);
    return { dir, decoded, config: decoded?.config ?? {} };
  });
  const byName = new Map(parsed.map((p) => [p.dir.name, p]));
  const models = parsed.map((p) => lintModel(p, byName, options));
  return {
    ok: models.every((m) => m.findings.every((f) => f.severity !== "error")),
    root: snapshot.root,
    models,
  };
}

function lintModel(p: Parsed, byName: Map<string, Parsed>, options: LintOptions): ModelReport {
  const { dir, decoded, config } = p;
  const findings: LintFinding[] = [];
  const configFile = `${dir.name}/config.pbtxt`;
  const at = (obj: object | undefined, field?: string): Position | undefined => {
    if (!obj || !decoded) return undefined;
    const pos = decoded.positions.get(obj);
    if (!pos) return undefined;
    return (field ? pos.fields[field] : undefined) ?? pos.at;
  };
  const add = (code: string, message: string, where?: Position, file = configFile): void => {
    findings.push({
      code,
      severity: LINT_CODES[code] ?? "error",
      message,
      file,
      ...(where && where.line > 0 ? { line: where.line, col: where.col } : {}),
    });
  };

  const platform = typeof config.platform === "string" ? config.platform : undefined;
  const backend = typeof config.backend === "string" ? config.backend : undefined;
  const report: ModelReport = {
    name: dir.name,
    path: dir.path,
    ...(platform ? { platform } : {}),
    ...(backend ? { backend } : {}),
    versions: dir.versions.map((v) => v.version),
    findings,
  };

  if (!decoded) {
    add(
      "config.missing",
      "no config.pbtxt: Triton can derive a config only for some backends (ONNX, TensorRT, TensorFlow), never for python or ensembles",
      undefined,
      `${dir.name}/`,
    );
  } else {
    for (const problem of decoded.problems) add(problem.code, problem.message, problem);
    // A config that does not parse says nothing reliable about the rest; report only what it says.
    if (decoded.problems.some((x) => x.code === "config.parse")) return report;
  }

  const isEnsemble = platform === "ensemble";
  const maxBatch = typeof config.max_batch_size === "number" ? config.max_batch_size : 0;
  const inputs = asArray<Tensor & Message>(config.input);
  const outputs = asArray<Tensor & Message>(config.output);

  // --- basics
  if (decoded && typeof config.name === "string" && config.name !== "" && config.name !== dir.name) {
    add(
      "basics.name-mismatch",
      `name "${config.name}" differs from the directory name "${dir.name}"`,
      at(config, "name"),
    );
  }
  if (decoded && !platform && !backend) {
    add(
      "basics.no-backend",
      "neither platform nor backend is set: Triton must guess from the model file",
      at(config),
    );
  }
  if (maxBatch < 0)
    add(
      "basics.max-batch-size",
      `max_batch_size is ${maxBatch}; it must be >= 0`,
      at(config, "max_batch_size"),
    );
  const batching = maxBatch > 0;

  const checkTensors = (list: Array<Tensor & Message>, kind: "input" | "output") => {
    const seen = new Set<string>();
    for (const t of list) {
      if (!t.name) add("basics.tensor-name", `an ${kind} has no name`, at(t));
      else if (seen.has(t.name))
        add("basics.tensor-name", `${kind} "${t.name}" is declared twice`, at(t, "name"));
      else seen.add(t.name);
      const label = `${kind} "${t.name ?? "?"}"`;
      // A data_type that was written but refused by the schema is already a finding.
      const written = decoded?.positions.get(t)?.fields.data_type !== undefined;
      if ((!t.data_type && !written) || t.data_type === "TYPE_INVALID")
        add("basics.data-type", `${label} has no data_type`, at(t));
      const dims = t.dims ?? [];
      if (dims.length === 0) add("basics.dims", `${label} has no dims`, at(t));
      for (const d of dims) {
        if (d === 0 || d < -1)
          add("basics.dims", `${label} has dim ${d}; dims must be >= 1, or -1 for variable`, at(t, "dims"));
      }
      if (t.reshape) checkReshape(t, label);
      if (kind === "output" && t.label_filename && !p.dir.entries.includes(t.label_filename)) {
        add(
          "files.label-missing",
          `${label} names label file ${t.label_filename}, which is not in ${dir.name}/`,
          at(t, "label_filename"),
        );
      }
    }
  };
  const checkReshape = (t: Tensor & Message, label: string) => {
    const dims = t.dims ?? [];
    const shape = t.reshape?.shape ?? [];
    const where = at(t, "reshape");
    if (shape.length === 0) {
      if (!batching) {
        add(
          "reshape.empty-shape",
          `${label} reshapes to [] but the model does not batch (max_batch_size 0)`,
          where,
        );
      } else if (elementCount(dims) !== 1 || dims.includes(-1)) {
        add(
          "reshape.empty-shape",
          `${label} reshapes to [] but its dims ${shapeText(dims)} are not [1]`,
          where,
        );
      }
      return;
    }
    const variableDims = dims.filter((d) => d === -1).length;
    const variableShape = shape.filter((d) => d === -1).length;
    if (variableDims === 0 && variableShape === 0) {
      if (elementCount(dims) !== elementCount(shape)) {
        add(
          "reshape.element-count",
          `${label} has ${elementCount(dims)} elements in dims ${shapeText(dims)} but ${elementCount(shape)} in reshape ${shapeText(shape)}`,
          where,
        );
      }
      return;
    }
    // With variable-size dims, each run of fixed dims between -1s must hold as many elements on both sides.
    const segments = (s: number[]) => {
      const out: number[] = [1];
      for (const d of s) {
        if (d === -1) out.push(1);
        else out[out.length - 1] = (out[out.length - 1] as number) * d;
      }
      return out;
    };
    const a = segments(dims);
    const b = segments(shape);
    if (variableDims !== variableShape || a.some((n, i) => n !== b[i])) {
      add(
        "reshape.variable-dims",
        `${label}: variable-size dims of ${shapeText(dims)} do not line up with reshape ${shapeText(shape)}`,
        where,
      );
    }
  };
  checkTensors(inputs, "input");
  checkTensors(outputs, "output");

  // --- instance_group
  const groups = asArray<Message>(config.instance_group);
  if (isEnsemble) {
    if (groups.length > 0)
      add("ensemble.not-allowed", "an ensemble cannot set instance_group", at(config, "instance_group"));
  } else {
    for (const g of groups) {
      const kind = (g.kind as string | undefined) ?? "KIND_AUTO";
      const gpus = asArray<number>(g.gpus);
      if (typeof g.count === "number" && g.count < 0)
        add("instance-group.count", `instance_group count ${g.count} is negative`, at(g, "count"));
      if ((kind === "KIND_CPU" || kind === "KIND_MODEL") && gpus.length > 0) {
        add(
          "instance-group.cpu-gpus",
          `instance_group of ${kind} lists gpus [${gpus.join(", ")}]; only GPU groups may`,
          at(g, "gpus"),
        );
        continue;
      }
      for (const id of gpus) {
        if (id < 0)
          add("instance-group.gpu-id", `instance_group lists GPU ${id}; GPU ids start at 0`, at(g, "gpus"));
        else if (options.gpusPerNode !== undefined && id >= options.gpusPerNode) {
          add(
            "instance-group.gpu-id",
            `instance_group lists GPU ${id}, but a node has ${options.gpusPerNode} GPU(s) (${options.gpuSource ?? "--gpus-per-node"}): ids 0..${options.gpusPerNode - 1}`,
            at(g, "gpus"),
          );
        }
      }
      if (options.gpusPerNode === undefined && gpus.some((id) => id > 0)) {
        add(
          "instance-group.gpu-count-unknown",
          `instance_group lists GPUs [${gpus.join(", ")}] and the GPUs per node are not known: pass --gpus-per-node`,
          at(g, "gpus"),
        );
      }
    }
  }
  if (isEnsemble && config.optimization)
    add("ensemble.not-allowed", "an ensemble cannot set optimization", at(config, "optimization"));
  if (isEnsemble && config.model_warmup)
    add("ensemble.not-allowed", "an ensemble cannot set model_warmup", at(config, "model_warmup"));

  // --- dynamic batching
  const dyn = config.dynamic_batching as Message | undefined;
  if (dyn) {
    const levels = typeof dyn.priority_levels === "number" ? dyn.priority_levels : 0;
    const def = typeof dyn.default_priority_level === "number" ? dyn.default_priority_level : 0;
    if (levels > 0 && (def < 1 || def > levels)) {
      add(
        "dynamic-batching.priority",
        `default_priority_level ${def} is outside 1..${levels} (priority_levels)`,
        at(dyn, "default_priority_level"),
      );
    }
    if (levels === 0 && def !== 0) {
      add(
        "dynamic-batching.priority",
        `default_priority_level ${def} is set but priority_levels is not`,
        at(dyn, "default_priority_level"),
      );
    }
    for (const key of Object.keys((dyn.priority_queue_policy as Message | undefined) ?? {})) {
      const level = Number(key);
      if (level < 1 || level > levels) {
        add(
          "dynamic-batching.priority",
          `priority_queue_policy for level ${key} is outside 1..${levels}`,
          at(dyn, "priority_queue_policy"),
        );
      }
    }
    for (const size of asArray<number>(dyn.preferred_batch_size)) {
      if (size < 1 || (batching && size > maxBatch)) {
        add(
          "dynamic-batching.preferred-size",
          `preferred_batch_size ${size} is outside 1..${maxBatch} (max_batch_size)`,
          at(dyn, "preferred_batch_size"),
        );
      }
    }
    const decoupled = (config.model_transaction_policy as Message | undefined)?.decoupled === true;
    if (dyn.preserve_ordering === true && decoupled) {
      add(
        "dynamic-batching.preserve-ordering",
        "preserve_ordering on a decoupled model holds every response until the earlier requests finish",
        at(dyn, "preserve_ordering"),
      );
    }
    if (!batching) {
      add(
        "dynamic-batching.preferred-size",
        "dynamic_batching is set but max_batch_size is 0: nothing can be batched",
        at(config, "dynamic_batching"),
      );
    }
  }

  // --- sequence batching controls
  const seq = config.sequence_batching as Message | undefined;
  if (seq) {
    const tensorOfKind = new Map<string, string>();
    for (const ci of asArray<Message>(seq.control_input)) {
      const controls = asArray<Message>(ci.control);
      const kinds = controls.map((c) => (c.kind as string | undefined) ?? "CONTROL_SEQUENCE_START");
      if (new Set(kinds).size > 1) {
        add(
          "sequence.control-kinds-per-tensor",
          `control input "${ci.name}" carries ${kinds.join(" and ")}; one kind per tensor`,
          at(ci),
        );
      }
      for (const [i, c] of controls.entries()) {
        const kind = kinds[i] as string;
        const other = tensorOfKind.get(kind);
        if (other !== undefined && other !== ci.name) {
          add(
            "sequence.control-kind-repeated",
            `${kind} is given by both "${other}" and "${ci.name}"; one tensor per kind`,
            at(c),
          );
        } else if (other === ci.name) {
          add("sequence.control-kind-repeated", `${kind} is given twice on "${ci.name}"`, at(c));
        }
        tensorOfKind.set(kind, String(ci.name));
        const valueFields = (["int32_false_true", "fp32_false_true", "bool_false_true"] as const).filter(
          (f) => f in c,
        );
        if (kind === "CONTROL_SEQUENCE_CORRID") {
          const dt = c.data_type as string | undefined;
          if (
            !dt ||
            !["TYPE_UINT64", "TYPE_INT64", "TYPE_UINT32", "TYPE_INT32", "TYPE_STRING"].includes(dt)
          ) {
            add(
              "sequence.control-values",
              `${kind} on "${ci.name}" needs data_type TYPE_UINT64, TYPE_INT64, TYPE_UINT32, TYPE_INT32 or TYPE_STRING`,
              at(c),
            );
          }
          if (valueFields.length > 0)
            add(
              "sequence.control-values",
              `${kind} on "${ci.name}" takes no ${valueFields.join(", ")}`,
              at(c),
            );
        } else if (valueFields.length !== 1) {
          add(
            "sequence.control-values",
            `${kind} on "${ci.name}" needs exactly one of int32_false_true, fp32_false_true, bool_false_true`,
            at(c),
          );
        } else {
          const values = asArray<unknown>(c[valueFields[0] as string]);
          if (values.length !== 2) {
            add(
              "sequence.control-values",
              `${kind} on "${ci.name}": ${valueFields[0]} needs two entries (false, true), has ${values.length}`,
              at(c, valueFields[0]),
            );
          }
        }
      }
    }
  }

  // --- batch_input / batch_output
  const inputNames = new Set(inputs.map((t) => t.name).filter(Boolean) as string[]);
  const outputNames = new Set(outputs.map((t) => t.name).filter(Boolean) as string[]);
  // Every batch input and output kind derives from exactly one model input.
  const checkSources = (entry: Message, label: string) => {
    const sources = asArray<string>(entry.source_input);
    if (sources.length !== 1) {
      add(
        "batch-io.source-count",
        `${label} needs exactly one source_input, has ${sources.length}`,
        at(entry),
      );
    }
    for (const source of sources) {
      if (!inputNames.has(source)) {
        add(
          "batch-io.source",
          `${label} source_input "${source}" is not an input of the model`,
          at(entry, "source_input"),
        );
      }
    }
  };
  for (const bi of asArray<Message>(config.batch_input)) {
    const kind = (bi.kind as string | undefined) ?? "BATCH_ELEMENT_COUNT";
    checkSources(bi, `batch_input ${kind}`);
    const targets = asArray<string>(bi.target_name);
    if (targets.length === 0) add("batch-io.target", `batch_input ${kind} has no target_name`, at(bi));
    for (const t of targets)
      if (inputNames.has(t))
        add(
          "batch-io.target",
          `batch_input target_name "${t}" is already a model input`,
          at(bi, "target_name"),
        );
    const dt = bi.data_type as string | undefined;
    if (dt !== "TYPE_INT32" && dt !== "TYPE_FP32")
      add("batch-io.data-type", `batch_input ${kind} needs data_type TYPE_INT32 or TYPE_FP32`, at(bi));
  }
  for (const bo of asArray<Message>(config.batch_output)) {
    checkSources(bo, "batch_output");
    const targets = asArray<string>(bo.target_name);
    if (targets.length === 0) add("batch-io.target", "batch_output has no target_name", at(bo));
    for (const t of targets)
      if (!outputNames.has(t))
        add(
          "batch-io.target",
          `batch_output target_name "${t}" is not an output of the model`,
          at(bo, "target_name"),
        );
  }

  // --- ensembles
  if (isEnsemble) lintEnsemble(p, byName, inputs, outputs, add, at);

  // --- files
  if (dir.versions.length === 0) {
    add(
      "files.no-versions",
      `no version directory (${dir.name}/1/ ...): Triton has nothing to load`,
      undefined,
      `${dir.name}/`,
    );
  } else if (!isEnsemble) {
    const key = backend ?? platform;
    const expected =
      typeof config.default_model_filename === "string"
        ? config.default_model_filename
        : key
          ? DEFAULT_FILES[key]
          : undefined;
    const alternatives = Object.values(
      (config.cc_model_filenames as Record<string, string> | undefined) ?? {},
    );
    if (expected) {
      for (const v of dir.versions) {
        if (!v.entries.includes(expected) && !alternatives.some((a) => v.entries.includes(a))) {
          add(
            "files.no-model-file",
            `version ${v.version} has no ${expected}`,
            undefined,
            `${dir.name}/${v.version}/`,
          );
        }
      }
    }
  }
  return report;
}

function lintEnsemble(
  p: Parsed,
  byName: Map<string, Parsed>,
  inputs: Array<Tensor & Message>,
  outputs: Array<Tensor & Message>,
  add: (code: string, message: string, where?: Position) => void,
  at: (obj: object | undefined, field?: string) => Position | undefined,
): void {
  const scheduling = p.config.ensemble_scheduling as Message | undefined;
  const steps = asArray<Message>(scheduling?.step);
  if (steps.length === 0) {
    add("ensemble.missing-model", "platform ensemble has no ensemble_scheduling steps", at(p.config));
    return;
  }
  interface Known {
    data_type?: string;
    dims?: number[];
    batching: boolean;
    from: string;
  }
  const ensembleBatching = typeof p.config.max_batch_size === "number" && p.config.max_batch_size > 0;
  const tensors = new Map<string, Known>();
  for (const t of inputs) {
    if (t.name)
      tensors.set(t.name, {
        ...(t.data_type ? { data_type: t.data_type } : {}),
        ...(t.dims ? { dims: t.dims } : {}),
        batching: ensembleBatching,
        from: "ensemble input",
      });
  }
  const producer = new Map<string, number>();
  const consumed = new Set<string>();
  // First pass: every tensor a step produces, so order of steps in the file does not matter.
  for (const [i, step] of steps.entries()) {
    const model = byName.get(String(step.model_name ?? ""));
    const modelOutputs = asArray<Tensor>(model?.config.output);
    const modelBatching = typeof model?.config.max_batch_size === "number" && model.config.max_batch_size > 0;
    for (const [from, to] of Object.entries((step.output_map as Record<string, string> | undefined) ?? {})) {
      if (producer.has(to)) {
        add(
          "ensemble.duplicate-output",
          `ensemble tensor "${to}" is produced by step ${(producer.get(to) as number) + 1} and step ${i + 1}`,
          at(step, "output_map"),
        );
        continue;
      }
      producer.set(to, i);
      const out = modelOutputs.find((o) => o.name === from);
      if (model && !out) {
        add(
          "ensemble.unknown-tensor",
          `step ${i + 1} maps output "${from}", which model "${model.dir.name}" does not have`,
          at(step, "output_map"),
        );
      }
      if (!tensors.has(to)) {
        tensors.set(to, {
          ...(out?.data_type ? { data_type: out.data_type } : {}),
          ...(out?.dims ? { dims: out.dims } : {}),
          batching: modelBatching,
          from: `output "${from}" of ${model?.dir.name ?? step.model_name}`,
        });
      }
    }
  }
  const dependsOn = steps.map(() => new Set<number>());
  for (const [i, step] of steps.entries()) {
    const modelName = String(step.model_name ?? "");
    const model = byName.get(modelName);
    if (!model) {
      add(
        "ensemble.missing-model",
        `step ${i + 1} runs model "${modelName}", which is not in the repository`,
        at(step, "model_name"),
      );
    }
    const modelInputs = asArray<Tensor>(model?.config.input);
    const modelBatching = typeof model?.config.max_batch_size === "number" && model.config.max_batch_size > 0;
    const inputMap = (step.input_map as Record<string, string> | undefined) ?? {};
    for (const [to, from] of Object.entries(inputMap)) {
      consumed.add(from);
      const source = tensors.get(from);
      if (!source) {
        add(
          "ensemble.unknown-tensor",
          `step ${i + 1} reads ensemble tensor "${from}", which no ensemble input or step provides`,
          at(step, "input_map"),
        );
      }
      const producedBy = producer.get(from);
      if (producedBy !== undefined) (dependsOn[i] as Set<number>).add(producedBy);
      if (!model) continue;
      const target = modelInputs.find((t) => t.name === to);
      if (!target) {
        add(
          "ensemble.unknown-tensor",
          `step ${i + 1} maps input "${to}", which model "${modelName}" does not have`,
          at(step, "input_map"),
        );
        continue;
      }
      if (source?.data_type && target.data_type && source.data_type !== target.data_type) {
        add(
          "ensemble.mismatch",
          `step ${i + 1}: "${from}" is ${source.data_type} (${source.from}) but ${modelName} input "${to}" is ${target.data_type}`,
          at(step, "input_map"),
        );
      }
      if (
        source?.dims &&
        target.dims &&
        source.batching === modelBatching &&
        !shapesAgree(source.dims, target.dims)
      ) {
        add(
          "ensemble.mismatch",
          `step ${i + 1}: "${from}" has shape ${shapeText(source.dims)} (${source.from}) but ${modelName} input "${to}" wants ${shapeText(target.dims)}`,
          at(step, "input_map"),
        );
      }
    }
    for (const t of modelInputs) {
      if (t.name && !(t.name in inputMap) && t.optional !== true) {
        add(
          "ensemble.unmapped-input",
          `step ${i + 1}: input "${t.name}" of ${modelName} gets no ensemble tensor`,
          at(step),
        );
      }
    }
  }
  const cycle = findCycle(dependsOn);
  if (cycle) {
    add(
      "ensemble.cycle",
      `steps ${cycle.map((s) => `${s + 1} (${String(steps[s]?.model_name)})`).join(" -> ")} feed each other in a cycle`,
      at(scheduling, "step"),
    );
  }
  for (const o of outputs) {
    if (o.name && !producer.has(o.name))
      add("ensemble.unproduced-output", `ensemble output "${o.name}" is produced by no step`, at(o));
    const known = o.name ? tensors.get(o.name) : undefined;
    if (
      known &&
      producer.has(o.name as string) &&
      known.data_type &&
      o.data_type &&
      known.data_type !== o.data_type
    ) {
      add(
        "ensemble.mismatch",
        `ensemble output "${o.name}" is ${o.data_type} but ${known.from} is ${known.data_type}`,
        at(o),
      );
    }
  }
  for (const t of inputs) {
    if (t.name && !consumed.has(t.name))
      add("ensemble.unused-input", `ensemble input "${t.name}" is read by no step`, at(t));
  }
}

function shapesAgree(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === -1 || b[i] === -1 || d === b[i]);
}

/** A cycle in the step graph (step -> steps it reads from), as step indexes, or undefined. */
function findCycle(dependsOn: Array<Set<number>>): number[] | undefined {
  const state = dependsOn.map(() => 0); // 0 unvisited, 1 on the stack, 2 done
  const stack: number[] = [];
  const visit = (n: number): number[] | undefined => {
    state[n] = 1;
    stack.push(n);
    for (const d of dependsOn[n] as Set<number>) {
      if (state[d] === 1) return [...stack.slice(stack.indexOf(d)), d];
      if (state[d] === 0) {
        const found = visit(d);
        if (found) return found;
      }
    }
    stack.pop();
    state[n] = 2;
    return undefined;
  };
  for (let i = 0; i < dependsOn.length; i++) {
    if (state[i] === 0) {
      const found = visit(i);
      if (found) return found.reverse();
    }
  }
  return undefined;
}

/** Human rendering: one line per finding, `file:line:col: severity code: message`. */
export function formatLint(
  result: LintResult,
  style: { red(s: string): string; yellow(s: string): string; green(s: string): string },
): string {
  const lines: string[] = [];
  for (const m of result.models) {
    const kind = m.platform ?? m.backend ?? "?";
    const errors = m.findings.filter((f) => f.severity === "error").length;
    const warnings = m.findings.length - errors;
    const verdict =
      errors > 0 ? style.red("error") : warnings > 0 ? style.yellow("warning") : style.green("ok");
    lines.push(`${m.name} (${kind}, versions ${m.versions.join(",") || "none"}): ${verdict}`);
    for (const f of m.findings) {
      const where = f.line ? `${f.file}:${f.line}:${f.col ?? 1}` : f.file;
      const sev = f.severity === "error" ? style.red("error") : style.yellow("warning");
      lines.push(`  ${where}: ${sev} ${f.code}: ${f.message}`);
    }
  }
  const errorCount = result.models.reduce(
    (n, m) => n + m.findings.filter((f) => f.severity === "error").length,
    0,
  );
  lines.push(
    result.ok
      ? `${result.models.length} model(s), no errors.`
      : `${result.models.length} model(s), ${errorCount} error(s).`,
  );
  return lines.join("\n");
}

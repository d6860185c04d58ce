/**
 * Triton's ModelConfig schema, written from the field list of model_config.proto
 * (triton-inference-server/common, protobuf/model_config.proto) and docs/user_guide/model_configuration.md
 * of triton-inference-server/server. Only names, types, cardinality, maps and oneofs: what a reader needs
 * to refuse what Triton's own text-format parser refuses before any load-time rule runs.
 */

export type ScalarType = "string" | "bool" | "int32" | "int64" | "uint32" | "uint64" | "float" | "double";

export type FieldType = { scalar: ScalarType } | { enum: string } | { message: string };

export interface FieldSpec {
  type: FieldType;
  repeated?: boolean;
  /** A proto map<K, V>: written as repeated `{ key: K value: V }` entries, read as a record. */
  mapKey?: ScalarType;
  /** Name of the oneof the field belongs to; at most one member of a oneof may be set. */
  oneof?: string;
}

export type MessageSpec = Record<string, FieldSpec>;

const s = (scalar: ScalarType, extra: Partial<FieldSpec> = {}): FieldSpec => ({ type: { scalar }, ...extra });
const e = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ type: { enum: name }, ...extra });
const m = (name: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  type: { message: name },
  ...extra,
});
const R = { repeated: true } as const;

export const ENUMS: Record<string, readonly string[]> = {
  DataType: [
    "TYPE_INVALID",
    "TYPE_BOOL",
    "TYPE_UINT8",
    "TYPE_UINT16",
    "TYPE_UINT32",
    "TYPE_UINT64",
    "TYPE_INT8",
    "TYPE_INT16",
    "TYPE_INT32",
    "TYPE_INT64",
    "TYPE_FP16",
    "TYPE_FP32",
    "TYPE_FP64",
    "TYPE_STRING",
    "TYPE_BF16",
  ],
  "ModelInstanceGroup.Kind": ["KIND_AUTO", "KIND_GPU", "KIND_CPU", "KIND_MODEL"],
  "SecondaryDevice.Kind": ["KIND_NVDLA"],
  "ModelInput.Format": ["FORMAT_NONE", "FORMAT_NHWC", "FORMAT_NCHW"],
  "BatchInput.Kind": [
    "BATCH_ELEMENT_COUNT",
    "BATCH_ACCUMULATED_ELEMENT_COUNT",
    "BATCH_ACCUMULATED_ELEMENT_COUNT_WITH_ZERO",
    "BATCH_MAX_ELEMENT_COUNT_AS_SHAPE",
    "BATCH_ITEM_SHAPE",
    "BATCH_ITEM_SHAPE_FLATTEN",
  ],
  "BatchOutput.Kind": ["BATCH_SCATTER_WITH_INPUT_SHAPE"],
  ModelPriority: ["PRIORITY_DEFAULT", "PRIORITY_MAX", "PRIORITY_MIN"],
  TimeoutAction: ["REJECT", "DELAY"],
  "Control.Kind": [
    "CONTROL_SEQUENCE_START",
    "CONTROL_SEQUENCE_READY",
    "CONTROL_SEQUENCE_END",
    "CONTROL_SEQUENCE_CORRID",
  ],
};

export const MESSAGES: Record<string, MessageSpec> = {
  ModelConfig: {
    name: s("string"),
    platform: s("string"),
    backend: s("string"),
    runtime: s("string"),
    version_policy: m("ModelVersionPolicy"),
    max_batch_size: s("int32"),
    input: m("ModelInput", R),
    output: m("ModelOutput", R),
    batch_input: m("BatchInput", R),
    batch_output: m("BatchOutput", R),
    optimization: m("ModelOptimizationPolicy"),
    dynamic_batching: m("ModelDynamicBatching", { oneof: "scheduling_choice" }),
    sequence_batching: m("ModelSequenceBatching", { oneof: "scheduling_choice" }),
    ensemble_scheduling: m("ModelEnsembling", { oneof: "scheduling_choice" }),
    instance_group: m("ModelInstanceGroup", R),
    default_model_filename: s("string"),
    cc_model_filenames: s("string", { mapKey: "string" }),
    metric_tags: s("string", { mapKey: "string" }),
    parameters: m("ModelParameter", { mapKey: "string" }),
    model_warmup: m("ModelWarmup", R),
    model_operations: m("ModelOperations"),
    model_transaction_policy: m("ModelTransactionPolicy"),
    model_repository_agents: m("ModelRepositoryAgents"),
    response_cache: m("ModelResponseCache"),
    model_metrics: m("ModelMetrics"),
  },
  ModelRateLimiter: { resources: m("ModelRateLimiter.Resource", R), priority: s("uint32") },
  "ModelRateLimiter.Resource": { name: s("string"), global: s("bool"), count: s("uint32") },
  ModelInstanceGroup: {
    name: s("string"),
    kind: e("ModelInstanceGroup.Kind"),
    count: s("int32"),
    rate_limiter: m("ModelRateLimiter"),
    gpus: s("int32", R),
    secondary_devices: m("SecondaryDevice", R),
    profile: s("string", R),
    passive: s("bool"),
    host_policy: s("string"),
  },
  SecondaryDevice: { kind: e("SecondaryDevice.Kind"), device_id: s("int64") },
  ModelTensorReshape: { shape: s("int64", R) },
  ModelInput: {
    name: s("string"),
    data_type: e("DataType"),
    format: e("ModelInput.Format"),
    dims: s("int64", R),
    reshape: m("ModelTensorReshape"),
    is_shape_tensor: s("bool"),
    allow_ragged_batch: s("bool"),
    optional: s("bool"),
    is_non_linear_format_io: s("bool"),
  },
  ModelOutput: {
    name: s("string"),
    data_type: e("DataType"),
    dims: s("int64", R),
    reshape: m("ModelTensorReshape"),
    label_filename: s("string"),
    is_shape_tensor: s("bool"),
    is_non_linear_format_io: s("bool"),
  },
  BatchInput: {
    kind: e("BatchInput.Kind"),
    target_name: s("string", R),
    data_type: e("DataType"),
    source_input: s("string", R),
  },
  BatchOutput: { target_name: s("string", R), kind: e("BatchOutput.Kind"), source_input: s("string", R) },
  ModelVersionPolicy: {
    latest: m("ModelVersionPolicy.Latest", { oneof: "policy_choice" }),
    all: m("ModelVersionPolicy.All", { oneof: "policy_choice" }),
    specific: m("ModelVersionPolicy.Specific", { oneof: "policy_choice" }),
  },
  "ModelVersionPolicy.Latest": { num_versions: s("uint32") },
  "ModelVersionPolicy.All": {},
  "ModelVersionPolicy.Specific": { versions: s("int64", R) },
  ModelOptimizationPolicy: {
    graph: m("Optimization.Graph"),
    priority: e("ModelPriority"),
    cuda: m("Optimization.Cuda"),
    execution_accelerators: m("Optimization.ExecutionAccelerators"),
    input_pinned_memory: m("Optimization.PinnedMemoryBuffer"),
    output_pinned_memory: m("Optimization.PinnedMemoryBuffer"),
    gather_kernel_buffer_threshold: s("uint32"),
    eager_batching: s("bool"),
  },
  "Optimization.Graph": { level: s("int32") },
  "Optimization.Cuda": {
    graphs: s("bool"),
    busy_wait_events: s("bool"),
    graph_spec: m("Cuda.GraphSpec", R),
    output_copy_stream: s("bool"),
  },
  "Cuda.GraphSpec": {
    batch_size: s("int32"),
    input: m("GraphSpec.Shape", { mapKey: "string" }),
    graph_lower_bound: m("GraphSpec.LowerBound"),
  },
  "GraphSpec.Shape": { dim: s("int64", R) },
  "GraphSpec.LowerBound": { batch_size: s("int32"), input: m("GraphSpec.Shape", { mapKey: "string" }) },
  "Optimization.ExecutionAccelerators": {
    gpu_execution_accelerator: m("Accelerator", R),
    cpu_execution_accelerator: m("Accelerator", R),
  },
  Accelerator: { name: s("string"), parameters: s("string", { mapKey: "string" }) },
  "Optimization.PinnedMemoryBuffer": { enable: s("bool") },
  ModelQueuePolicy: {
    timeout_action: e("TimeoutAction"),
    default_timeout_microseconds: s("uint64"),
    allow_timeout_override: s("bool"),
    max_queue_size: s("uint32"),
  },
  ModelDynamicBatching: {
    preferred_batch_size: s("int32", R),
    max_queue_delay_microseconds: s("uint64"),
    preserve_ordering: s("bool"),
    priority_levels: s("uint64"),
    default_priority_level: s("uint64"),
    default_queue_policy: m("ModelQueuePolicy"),
    priority_queue_policy: m("ModelQueuePolicy", { mapKey: "uint64" }),
  },
  ModelSequenceBatching: {
    direct: m("Sequence.StrategyDirect", { oneof: "strategy_choice" }),
    oldest: m("Sequence.StrategyOldest", { oneof: "strategy_choice" }),
    max_sequence_idle_microseconds: s("uint64"),
    control_input: m("Sequence.ControlInput", R),
    state: m("Sequence.State", R),
    iterative_sequence: s("bool"),
  },
  "Sequence.Control": {
    kind: e("Control.Kind"),
    int32_false_true: s("int32", R),
    fp32_false_true: s("float", R),
    bool_false_true: s("bool", R),
    data_type: e("DataType"),
  },
  "Sequence.ControlInput": { name: s("string"), control: m("Sequence.Control", R) },
  "Sequence.InitialState": {
    data_type: e("DataType"),
    dims: s("int64", R),
    zero_data: s("bool", { oneof: "state_data" }),
    data_file: s("string", { oneof: "state_data" }),
    name: s("string"),
  },
  "Sequence.State": {
    input_name: s("string"),
    output_name: s("string"),
    data_type: e("DataType"),
    dims: s("int64", R),
    initial_state: m("Sequence.InitialState", R),
    use_same_buffer_for_input_output: s("bool"),
    use_growable_memory: s("bool"),
  },
  "Sequence.StrategyDirect": {
    max_queue_delay_microseconds: s("uint64"),
    minimum_slot_utilization: s("float"),
  },
  "Sequence.StrategyOldest": {
    max_candidate_sequences: s("int32"),
    preferred_batch_size: s("int32", R),
    max_queue_delay_microseconds: s("uint64"),
    preserve_ordering: s("bool"),
  },
  ModelEnsembling: { step: m("Ensemble.Step", R), max_inflight_responses: s("uint32") },
  "Ensemble.Step": {
    model_name: s("string"),
    model_version: s("int64"),
    input_map: s("string", { mapKey: "string" }),
    output_map: s("string", { mapKey: "string" }),
    model_namespace: s("string"),
  },
  ModelParameter: { string_value: s("string") },
  ModelWarmup: {
    name: s("string"),
    batch_size: s("uint32"),
    inputs: m("Warmup.Input", { mapKey: "string" }),
    count: s("uint32"),
  },
  "Warmup.Input": {
    data_type: e("DataType"),
    dims: s("int64", R),
    zero_data: s("bool", { oneof: "input_data_type" }),
    random_data: s("bool", { oneof: "input_data_type" }),
    input_data_file: s("string", { oneof: "input_data_type" }),
  },
  ModelOperations: { op_library_filename: s("string", R) },
  ModelTransactionPolicy: { decoupled: s("bool") },
  ModelRepositoryAgents: { agents: m("Agent", R) },
  Agent: { name: s("string"), parameters: s("string", { mapKey: "string" }) },
  ModelResponseCache: { enable: s("bool") },
  ModelMetrics: { metric_control: m("Metrics.MetricControl", R) },
  "Metrics.MetricControl": {
    metric_identifier: m("Metrics.MetricIdentifier"),
    histogram_options: m("Metrics.HistogramOptions", { oneof: "metric_options" }),
  },
  "Metrics.MetricIdentifier": { family: s("string") },
  "Metrics.HistogramOptions": { buckets: s("double", R) },
};

import type { Config } from "../config/schema.js";
import { UserError } from "../errors.js";
import { type ProjectOutputs, STAGE_DEFINITIONS, type TerraformStage } from "../stages.js";

/** An input a stack takes from an earlier stack's output. */
interface Wire {
  variable: string;
  from: TerraformStage;
  output: string;
  /** Optional outputs (null when a feature is off) fall back to this. */
  fallback?: unknown;
}

const WIRES: Record<TerraformStage, Wire[]> = {
  vpc: [],
  iam: [],
  ecr: [],
  eks: [
    { variable: "vpc_id", from: "vpc", output: "vpc_id" },
    { variable: "private_subnet_ids", from: "vpc", output: "private_subnet_ids" },
    { variable: "public_subnet_ids", from: "vpc", output: "public_subnet_ids" },
    { variable: "cluster_role_arn", from: "iam", output: "cluster_role_arn" },
    { variable: "ci_role_arn", from: "iam", output: "github_actions_role_arn", fallback: "" },
    { variable: "model_bucket_arn", from: "ecr", output: "model_bucket_arn" },
  ],
  "gpu-nodes": [
    { variable: "cluster_name", from: "eks", output: "cluster_name" },
    { variable: "cluster_endpoint", from: "eks", output: "cluster_endpoint" },
    {
      variable: "cluster_certificate_authority_data",
      from: "eks",
      output: "cluster_certificate_authority_data",
    },
    { variable: "cluster_service_cidr", from: "eks", output: "service_ipv4_cidr" },
    { variable: "node_role_arn", from: "iam", output: "node_role_arn" },
    { variable: "private_subnet_ids", from: "vpc", output: "private_subnet_ids" },
  ],
};

/** Variables that come from the config alone. */
function configVariables(stage: TerraformStage, config: Config): Record<string, unknown> {
  const common = {
    name_prefix: config.name,
    environment: config.environment,
    region: config.region,
    tags: config.tags,
  };
  switch (stage) {
    case "vpc":
      return {
        ...common,
        vpc_cidr: config.network.vpcCidr,
        az_count: config.network.azCount,
        nat_gateway_mode: config.network.natGateways,
        enable_flow_logs: config.network.flowLogs,
      };
    case "iam":
      return {
        ...common,
        github_repository: config.github.repository ?? "",
        github_branch: config.github.branch,
        github_environment: config.github.environment ?? "",
        github_repository_id: config.github.repositoryId ?? "",
        github_owner_id: config.github.ownerId ?? "",
        // The plan role reads the state and writes its lock file; with local state there is none to read.
        state_bucket: config.state.backend === "s3" ? config.state.bucket : "",
        state_key_prefix: config.state.backend === "s3" ? config.state.keyPrefix : "",
      };
    case "ecr":
      return {
        ...common,
        image_tag_mutability: config.ecr.tagMutability,
        // The emulator has only a plain-HTTP endpoint and enforces bucket policies, so a TLS-only policy
        // would refuse every upload there; real AWS keeps it on.
        enable_tls_only_policy: !config.sandbox,
        // After creating lifecycle rules the provider waits for three matching reads 10 s apart (56 s
        // measured against the emulator); the sandbox leaves them out unless ecr.modelLifecycle says so.
        enable_model_lifecycle: config.ecr.modelLifecycle ?? !config.sandbox,
        model_noncurrent_version_days: config.ecr.modelVersionDays,
      };
    case "eks":
      return {
        ...common,
        kubernetes_version: config.kubernetesVersion,
        endpoint_public_access: config.cluster.publicAccessCidrs.length > 0,
        public_access_cidrs: config.cluster.publicAccessCidrs,
        log_retention_days: config.cluster.logRetentionDays,
        service_ipv4_cidr: config.cluster.serviceCidr ?? null,
        admin_principal_arns: config.cluster.adminPrincipalArns,
        // The emulator ignores upgradePolicy and reads it back empty, which would plan a change on every
        // run; there the block is left out (null), on AWS it is always set.
        support_type: config.sandbox ? null : config.cluster.supportType,
        // The emulator answers 404 for CreateAccessEntry and CreateAddon; real AWS keeps both on.
        enable_access_entries: !config.sandbox,
        enable_addons: !config.sandbox,
        alert_sns_topic_arn: config.alerts.receiver.type === "sns" ? config.alerts.receiver.topicArn : "",
      };
    case "gpu-nodes":
      return {
        ...common,
        instance_types: config.gpu.instanceTypes,
        capacity_type: config.gpu.capacityType,
        min_size: config.gpu.minSize,
        desired_size: config.gpu.desiredSize,
        max_size: config.gpu.maxSize,
        root_volume_size_gb: config.gpu.rootVolumeSizeGb,
        // The emulator reads updateConfig back as null, which would plan a change on every run there.
        max_unavailable: config.sandbox ? null : config.gpu.maxUnavailable,
        enable_system_node_group: config.systemNodes.enabled,
        system_instance_types: config.systemNodes.instanceTypes,
        system_min_size: 1,
        system_desired_size: config.systemNodes.size,
        system_max_size: config.systemNodes.size + 1,
        // CoreDNS is an add-on too; it lives with the nodes it runs on.
        enable_addons: !config.sandbox,
        // The emulator creates no Auto Scaling group behind an EKS node group, so there is nothing to tag.
        enable_autoscaler_tags: !config.sandbox,
        // The emulator has no EKS DescribeUpdate for Terraform to wait on after an in-place min/max change.
        replace_on_scaling_change: config.sandbox,
        enable_spot_first: config.gpu.spotFirst,
      };
  }
}

/** Stages whose outputs this stack's inputs need. */
export function inputStages(stage: TerraformStage): TerraformStage[] {
  return [...new Set(WIRES[stage].map((w) => w.from))];
}

/**
 * The tfvars document for a stack: the config plus earlier stacks' outputs. A missing input names the
 * stage to run first rather than letting Terraform fail on an unset variable.
 */
export function stackVariables(
  stage: TerraformStage,
  config: Config,
  outputs: ProjectOutputs,
): Record<string, unknown> {
  const variables = configVariables(stage, config);
  const missing = new Set<TerraformStage>();
  for (const wire of WIRES[stage]) {
    const value = outputs[wire.from]?.[wire.output];
    if (value === undefined || value === null) {
      if (wire.fallback !== undefined && outputs[wire.from] !== undefined) {
        variables[wire.variable] = wire.fallback;
        continue;
      }
      missing.add(wire.from);
      continue;
    }
    variables[wire.variable] = value;
  }
  if (missing.size > 0) {
    const first = [...missing];
    throw new UserError(
      `Stage ${stage} needs the outputs of ${first.join(" and ")}, which ${first.length > 1 ? "are" : "is"} not applied yet.`,
      {
        code: "stage.inputs-missing",
        suggestion: `Run \`triton-ops up --stage ${first.join(",")}\` first (or --stage all).`,
      },
    );
  }
  return variables;
}

/** Sanity: every wire reads a stage the graph says this stage needs. */
export function wiresConsistentWithGraph(): boolean {
  return (Object.keys(WIRES) as TerraformStage[]).every((stage) =>
    inputStages(stage).every((from) => STAGE_DEFINITIONS[stage].needs.includes(from)),
  );
}

// The stage list lives here, not in config/schema.ts, so that what only needs the stages (the Terraform
// state reader, the scheduler) does not load zod with the schema.
export const STAGES = ["vpc", "iam", "ecr", "eks", "gpu-nodes", "workloads"] as const;
export type StageName = (typeof STAGES)[number];

export type TerraformStage = Exclude<StageName, "workloads">;
export const TERRAFORM_STAGES: readonly TerraformStage[] = ["vpc", "iam", "ecr", "eks", "gpu-nodes"];

/** Outputs of applied stacks, unwrapped from Terraform's {value, type, sensitive}; absent when never applied. */
export type ProjectOutputs = Partial<Record<TerraformStage, Record<string, unknown>>>;

export interface StageDefinition {
  name: StageName;
  kind: "terraform" | "kubernetes";
  /** Stages whose outputs this one reads: it starts as soon as they are done. */
  needs: readonly StageName[];
  summary: string;
}

/** The dependency graph: vpc, iam and ecr need nothing from each other, so they run side by side. */
export const STAGE_DEFINITIONS: Readonly<Record<StageName, StageDefinition>> = {
  vpc: {
    name: "vpc",
    kind: "terraform",
    needs: [],
    summary: "VPC, public/private subnets per AZ, IGW, NAT, routes",
  },
  iam: {
    name: "iam",
    kind: "terraform",
    needs: [],
    summary: "cluster and node roles, GitHub Actions OIDC deploy role",
  },
  ecr: {
    name: "ecr",
    kind: "terraform",
    needs: [],
    summary: "ECR repository for the Triton image, S3 model bucket",
  },
  eks: {
    name: "eks",
    kind: "terraform",
    needs: ["vpc", "iam", "ecr"],
    summary: "EKS cluster, KMS secrets encryption, control-plane logs, OIDC provider, Triton IRSA role",
  },
  "gpu-nodes": {
    name: "gpu-nodes",
    kind: "terraform",
    needs: ["vpc", "iam", "eks"],
    summary: "GPU managed node group (AL2023 NVIDIA) and a small system node group",
  },
  workloads: {
    name: "workloads",
    kind: "kubernetes",
    needs: ["ecr", "eks", "gpu-nodes"],
    summary: "Triton, NVIDIA device plugin, DCGM exporter, node-exporter, Prometheus, Grafana",
  },
};

export function isTerraformStage(stage: StageName): stage is TerraformStage {
  return STAGE_DEFINITIONS[stage].kind === "terraform";
}

/** Output value of a stage, or undefined. */
export function outputOf<T = unknown>(
  outputs: ProjectOutputs,
  stage: TerraformStage,
  name: string,
): T | undefined {
  return outputs[stage]?.[name] as T | undefined;
}

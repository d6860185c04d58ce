import type { Config } from "../config/schema.js";
import type { TerraformStage } from "../stages.js";
import type { PlannedCreate } from "./aws.js";

/**
 * The named resources each stack creates (names as terraform/modules/naming derives them), so doctor and
 * preflight can tell what an `up` would create without running a plan.
 */
export function namedResources(config: Pick<Config, "name" | "environment">): PlannedCreate[] {
  const base = `${config.name}-${config.environment}`;
  return [
    { stack: "iam", address: "aws_iam_role.cluster", type: "aws_iam_role", name: `${base}-eks-cluster` },
    { stack: "iam", address: "aws_iam_role.node", type: "aws_iam_role", name: `${base}-eks-node` },
    { stack: "ecr", address: "aws_ecr_repository.this", type: "aws_ecr_repository", name: `${base}-triton` },
    { stack: "eks", address: "aws_eks_cluster.this", type: "aws_eks_cluster", name: base },
    {
      stack: "eks",
      address: "aws_cloudwatch_log_group.this",
      type: "aws_cloudwatch_log_group",
      name: `/aws/eks/${base}/cluster`,
    },
    { stack: "eks", address: "aws_kms_alias.this", type: "aws_kms_alias", name: `alias/${base}-eks` },
    { stack: "eks", address: "aws_iam_role.triton", type: "aws_iam_role", name: `${base}-triton-irsa` },
  ];
}

/** Pure: the named resources missing from their stack's state, i.e. what the next plan would create. */
export function plannedCreates(
  config: Pick<Config, "name" | "environment">,
  inState: Partial<Record<TerraformStage, ReadonlyArray<{ address: string }>>>,
): PlannedCreate[] {
  return namedResources(config).filter((r) => !(inState[r.stack] ?? []).some((s) => s.address === r.address));
}

import { resourceNames } from "../config/naming.js";
import type { Config } from "../config/schema.js";
import type { TerraformStage } from "../stages.js";
import type { PlannedCreate } from "./aws.js";

/**
 * The named resources each stack creates (names as terraform/modules/naming derives them), so doctor and
 * preflight can tell what an `up` would create without running a plan.
 */
export function namedResources(config: Pick<Config, "name" | "environment">): PlannedCreate[] {
  const n = resourceNames(config);
  return [
    { stack: "iam", address: "aws_iam_role.cluster", type: "aws_iam_role", name: n.clusterRole },
    { stack: "iam", address: "aws_iam_role.node", type: "aws_iam_role", name: n.nodeRole },
    { stack: "ecr", address: "aws_ecr_repository.this", type: "aws_ecr_repository", name: n.ecrRepository },
    { stack: "eks", address: "aws_eks_cluster.this", type: "aws_eks_cluster", name: n.cluster },
    {
      stack: "eks",
      address: "aws_cloudwatch_log_group.this",
      type: "aws_cloudwatch_log_group",
      name: n.clusterLogGroup,
    },
    { stack: "eks", address: "aws_kms_alias.this", type: "aws_kms_alias", name: n.kmsAlias },
    { stack: "eks", address: "aws_iam_role.triton", type: "aws_iam_role", name: n.tritonIrsaRole },
  ];
}

/** Pure: the named resources missing from their stack's state, i.e. what the next plan would create. */
export function plannedCreates(
  config: Pick<Config, "name" | "environment">,
  inState: Partial<Record<TerraformStage, ReadonlyArray<{ address: string }>>>,
): PlannedCreate[] {
  return namedResources(config).filter((r) => !(inState[r.stack] ?? []).some((s) => s.address === r.address));
}

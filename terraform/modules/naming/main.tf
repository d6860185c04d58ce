# Every name the stacks use, derived in one place from the prefix and environment, so stacks that
# run side by side (vpc, iam, ecr) compute the same names and ARNs without reading each other's state.
locals {
  base = "${var.name_prefix}-${var.environment}"

  names = {
    cluster                = local.base
    ecr_repository         = "${local.base}-triton"
    cluster_role           = "${local.base}-eks-cluster"
    node_role              = "${local.base}-eks-node"
    github_actions_role    = "${local.base}-github-actions-oidc-role"
    github_plan_role       = "${local.base}-github-plan-role"
    triton_irsa_role       = "${local.base}-triton-irsa"
    flow_logs_role         = "${local.base}-vpc-flow-logs"
    cluster_log_group      = "/aws/eks/${local.base}/cluster"
    flow_log_group         = "/aws/vpc/${local.base}/flow-logs"
    kms_alias              = "alias/${local.base}-eks"
    model_bucket           = var.account_id == "" ? "" : "${local.base}-models-${var.account_id}"
    gpu_node_group         = "${local.base}-gpu"
    gpu_spot_node_group    = "${local.base}-gpu-spot"
    system_node_group      = "${local.base}-system"
    gpu_launch_template    = "${local.base}-gpu"
    system_launch_template = "${local.base}-system"
    cluster_security_group = "${local.base}-cluster"
  }
}

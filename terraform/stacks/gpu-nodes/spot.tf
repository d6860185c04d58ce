# Spot first, on-demand as the fallback: a second GPU node group on spot capacity, resting at zero, that
# cluster-autoscaler's priority expander tries before the on-demand group (its Auto Scaling group's name,
# eks-<node group>-<id>, matches the expander's ".*-gpu-spot.*"). When spot capacity is not there the
# autoscaler gives up on it after --max-node-provision-time and scales the on-demand group instead.
#
# Interruptions: EKS managed node groups on SPOT turn on Capacity Rebalancing in their Auto Scaling group
# and cordon and drain a node when EC2 sends a rebalance recommendation, before the two-minute notice, so
# no separate termination handler is installed. Triton's PodDisruptionBudget keeps that drain one replica
# at a time. Variables and outputs live in this file with the feature.

variable "enable_spot_first" {
  description = "Add a spot GPU node group (min 0) that cluster-autoscaler tries before the on-demand one."
  type        = bool
  default     = false

  validation {
    condition     = !var.enable_spot_first || var.capacity_type == "ON_DEMAND"
    error_message = "enable_spot_first adds spot in front of an ON_DEMAND group; with capacity_type SPOT there is no fallback to add."
  }
}

resource "aws_eks_node_group" "gpu_spot" {
  count = var.enable_spot_first ? 1 : 0

  cluster_name    = var.cluster_name
  node_group_name = local.names.gpu_spot_node_group
  node_role_arn   = var.node_role_arn
  subnet_ids      = var.private_subnet_ids
  ami_type        = "AL2023_x86_64_NVIDIA"
  instance_types  = var.instance_types
  capacity_type   = "SPOT"

  scaling_config {
    min_size     = 0
    desired_size = 0
    max_size     = var.max_size
  }

  launch_template {
    id      = aws_launch_template.this["gpu"].id
    version = aws_launch_template.this["gpu"].latest_version
  }

  labels = local.gpu_labels

  taint {
    key    = "nvidia.com/gpu"
    value  = "true"
    effect = "NO_SCHEDULE"
  }

  lifecycle {
    # As the on-demand GPU group: the autoscaler owns desired_size; remote_access is the emulator's echo.
    ignore_changes       = [scaling_config[0].desired_size, remote_access]
    replace_triggered_by = [terraform_data.gpu_scaling]
  }
}

output "gpu_spot_node_group_name" {
  description = "Name of the spot GPU node group tried first (null unless enable_spot_first)."
  value       = try(aws_eks_node_group.gpu_spot[0].node_group_name, null)
}

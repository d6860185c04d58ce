# What cluster-autoscaler needs to scale the GPU pool up from zero nodes. With no node to look at it builds
# the node it would get from its Auto Scaling group's tags: the pool label, the GPU taint and the number of
# nvidia.com/gpu the instance type has. EKS does not copy node group labels or taints to the group's
# tags, so they are set here. Variables and outputs live in this file with the feature.

variable "enable_autoscaler_tags" {
  description = "Tag the GPU node group's Auto Scaling group for cluster-autoscaler. Off on the emulator, which creates no Auto Scaling group behind an EKS node group."
  type        = bool
  default     = true
}

# GPUs per node, from the first (preferred) instance type: the one cluster-autoscaler models the group by.
data "aws_ec2_instance_type" "gpu" {
  count = var.enable_autoscaler_tags ? 1 : 0

  instance_type = var.instance_types[0]
}

locals {
  gpu_asg_name = try(aws_eks_node_group.gpu.resources[0].autoscaling_groups[0].name, null)
  gpu_asg_names = merge(
    { gpu = local.gpu_asg_name },
    var.enable_spot_first ? { gpu_spot = try(aws_eks_node_group.gpu_spot[0].resources[0].autoscaling_groups[0].name, null) } : {}
  )

  gpu_node_template_tags = {
    # Auto-discovery (EKS sets these two on managed node groups too; stated here so nothing depends on it).
    "k8s.io/cluster-autoscaler/enabled"             = "true"
    "k8s.io/cluster-autoscaler/${var.cluster_name}" = "owned"
    # The node a scale-up from zero would bring.
    "k8s.io/cluster-autoscaler/node-template/label/triton-ops/pool"        = local.gpu_labels["triton-ops/pool"]
    "k8s.io/cluster-autoscaler/node-template/label/nvidia.com/gpu.present" = local.gpu_labels["nvidia.com/gpu.present"]
    "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"         = "true:NoSchedule"
    "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu" = tostring(
      var.enable_autoscaler_tags ? sum(concat([0], [for g in data.aws_ec2_instance_type.gpu[0].gpus : g.count])) : 0
    )
  }
}

resource "aws_autoscaling_group_tag" "gpu" {
  # One per GPU group and tag, keyed "group/tag key".
  for_each = var.enable_autoscaler_tags ? {
    for pair in setproduct(keys(local.gpu_asg_names), keys(local.gpu_node_template_tags)) :
    "${pair[0]}/${pair[1]}" => { group = pair[0], key = pair[1], value = local.gpu_node_template_tags[pair[1]] }
  } : {}

  autoscaling_group_name = local.gpu_asg_names[each.value.group]

  tag {
    key   = each.value.key
    value = each.value.value
    # Scheduling hints for the autoscaler, not instance tags.
    propagate_at_launch = false
  }
}

output "gpu_autoscaling_group_name" {
  description = "Auto Scaling group behind the GPU node group (null where the emulator creates none)."
  value       = local.gpu_asg_name
}

output "gpu_node_template_tags" {
  description = "Tags cluster-autoscaler reads to scale the GPU pool from zero; empty when enable_autoscaler_tags is off."
  value       = var.enable_autoscaler_tags ? local.gpu_node_template_tags : {}
}

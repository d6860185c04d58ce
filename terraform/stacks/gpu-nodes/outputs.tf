output "gpu_node_group_name" {
  description = "Name of the GPU managed node group."
  value       = aws_eks_node_group.gpu.node_group_name
}

output "gpu_node_group_arn" {
  description = "ARN of the GPU managed node group."
  value       = aws_eks_node_group.gpu.arn
}

output "gpu_launch_template_id" {
  description = "Launch template of the GPU nodes."
  value       = aws_launch_template.this["gpu"].id
}

output "system_node_group_name" {
  description = "Name of the system node group; null when disabled."
  value       = try(aws_eks_node_group.system[0].node_group_name, null)
}

output "gpu_node_labels" {
  description = "Labels every GPU node carries (Triton's node selector)."
  value       = local.gpu_labels
}

output "gpu_node_taint" {
  description = "Taint on every GPU node (Triton and the GPU DaemonSets tolerate it)."
  value       = "nvidia.com/gpu=true:NoSchedule"
}

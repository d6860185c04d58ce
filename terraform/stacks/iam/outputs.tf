output "cluster_role_arn" {
  description = "ARN of the EKS cluster role."
  value       = aws_iam_role.cluster.arn
}

output "cluster_role_name" {
  description = "Name of the EKS cluster role."
  value       = aws_iam_role.cluster.name
}

output "node_role_arn" {
  description = "ARN of the node role (worker, ECR read, CNI, SSM)."
  value       = aws_iam_role.node.arn
}

output "node_role_name" {
  description = "Name of the node role."
  value       = aws_iam_role.node.name
}

output "github_actions_role_arn" {
  description = "ARN of the GitHub Actions deploy role; null without github_repository."
  value       = try(aws_iam_role.github_actions[0].arn, null)
}

output "github_actions_role_name" {
  description = "Name of the GitHub Actions deploy role; null without github_repository."
  value       = try(aws_iam_role.github_actions[0].name, null)
}

output "github_oidc_provider_arn" {
  description = "ARN of the GitHub OIDC provider used by the deploy role; null without github_repository."
  value       = local.create_ci ? local.github_provider : null
}

output "github_subject" {
  description = "The exact `sub` claim the deploy role trusts; null without github_repository."
  value       = local.create_ci ? local.github_subject : null
}

output "github_subjects" {
  description = "Every `sub` the deploy role trusts: the name form, and the immutable form when the ids are set."
  value       = local.create_ci ? local.github_subjects : null
}

output "github_plan_role_arn" {
  description = "ARN of the read-only plan role for pull requests; null without github_repository."
  value       = try(aws_iam_role.github_plan[0].arn, null)
}

output "github_plan_role_name" {
  description = "Name of the read-only plan role; null without github_repository."
  value       = try(aws_iam_role.github_plan[0].name, null)
}

output "github_plan_subjects" {
  description = "Every `sub` the plan role trusts (pull requests of the repository only)."
  value       = local.create_ci ? local.plan_subjects : null
}

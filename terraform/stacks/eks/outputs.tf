output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the EKS cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "URL of the Kubernetes API server."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64 CA bundle of the API server."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "cluster_version" {
  description = "Kubernetes version of the control plane."
  value       = aws_eks_cluster.this.version
}

output "cluster_security_group_id" {
  description = "Security group EKS created for the control plane and managed nodes."
  value       = try(aws_eks_cluster.this.vpc_config[0].cluster_security_group_id, null)
}

output "service_ipv4_cidr" {
  description = "CIDR Kubernetes services get their cluster IPs from."
  value       = try(aws_eks_cluster.this.kubernetes_network_config[0].service_ipv4_cidr, "172.20.0.0/16")
}

output "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider (IRSA)."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "oidc_issuer_url" {
  description = "OIDC issuer URL of the cluster."
  value       = local.issuer
}

output "triton_irsa_role_arn" {
  description = "Role for Triton's service account (annotation eks.amazonaws.com/role-arn)."
  value       = aws_iam_role.triton.arn
}

output "kms_key_arn" {
  description = "KMS key encrypting Kubernetes secrets."
  value       = aws_kms_key.this.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the control plane."
  value       = aws_cloudwatch_log_group.this.name
}

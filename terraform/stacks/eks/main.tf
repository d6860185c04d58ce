locals {
  names     = module.naming.names
  partition = data.aws_partition.current.partition
}

resource "aws_kms_key" "this" {
  description             = "Envelope encryption of Kubernetes secrets in ${local.names.cluster}"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
}

resource "aws_kms_alias" "this" {
  name          = local.names.kms_alias
  target_key_id = aws_kms_key.this.key_id
}

# Created by the stack, before the cluster: EKS would otherwise create it on first log line, outside
# Terraform, so a destroy would leave it behind and the next create would collide with it.
resource "aws_cloudwatch_log_group" "this" {
  name              = local.names.cluster_log_group
  retention_in_days = var.log_retention_days
}

resource "aws_eks_cluster" "this" {
  name     = local.names.cluster
  version  = var.kubernetes_version
  role_arn = var.cluster_role_arn

  enabled_cluster_log_types = var.enabled_log_types

  vpc_config {
    subnet_ids              = var.private_subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = var.endpoint_public_access
    public_access_cidrs     = var.endpoint_public_access ? var.public_access_cidrs : null
  }

  dynamic "kubernetes_network_config" {
    for_each = var.service_ipv4_cidr == null ? [] : [var.service_ipv4_cidr]
    content {
      service_ipv4_cidr = kubernetes_network_config.value
    }
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.this.arn
    }
  }

  dynamic "access_config" {
    for_each = var.enable_access_entries ? [1] : []
    content {
      authentication_mode                         = "API_AND_CONFIG_MAP"
      bootstrap_cluster_creator_admin_permissions = true
    }
  }

  dynamic "upgrade_policy" {
    for_each = var.support_type == null ? [] : [var.support_type]
    content {
      support_type = upgrade_policy.value
    }
  }

  depends_on = [aws_cloudwatch_log_group.this]

  lifecycle {
    precondition {
      condition     = !var.endpoint_public_access || length(var.public_access_cidrs) > 0
      error_message = "A public API endpoint needs public_access_cidrs; leave endpoint_public_access off for a private-only endpoint."
    }
  }
}

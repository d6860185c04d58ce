locals {
  names = module.naming.names

  gpu_labels = {
    "nvidia.com/gpu.present" = "true"
    "triton-ops/pool"        = "gpu"
  }

  nodes = merge(
    { gpu = { template = local.names.gpu_launch_template, labels = local.gpu_labels } },
    var.enable_system_node_group ? { system = { template = local.names.system_launch_template, labels = { "triton-ops/pool" = "system" } } } : {}
  )
}

# MIME multipart is what EKS expects in a launch template's user data; nodeadm reads the
# application/node.eks.aws part.
resource "aws_launch_template" "this" {
  for_each = local.nodes

  name                   = each.value.template
  update_default_version = true

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = var.metadata_hop_limit
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = each.key == "gpu" ? var.root_volume_size_gb : 50
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  user_data = base64encode(join("\r\n", [
    "MIME-Version: 1.0",
    "Content-Type: multipart/mixed; boundary=\"//triton-ops//\"",
    "",
    "--//triton-ops//",
    "Content-Type: application/node.eks.aws",
    "",
    templatefile("${path.module}/templates/userdata-nodeadm.yaml", {
      cluster_name          = var.cluster_name
      api_server_endpoint   = var.cluster_endpoint
      certificate_authority = var.cluster_certificate_authority_data
      service_cidr          = var.cluster_service_cidr
      max_pods              = var.kubelet_max_pods
      node_labels           = join(",", [for k, v in each.value.labels : "${k}=${v}"])
    }),
    "--//triton-ops//--",
    "",
  ]))

  # Instances and volumes launched by the node group carry the project's tags too, so orphan-scan
  # and cost reports can find them.
  tag_specifications {
    resource_type = "instance"
    tags          = { Name = "${local.names.cluster}-${each.key}", ManagedBy = "triton-ops", Project = var.name_prefix, Environment = var.environment, Stage = "gpu-nodes" }
  }

  tag_specifications {
    resource_type = "volume"
    tags          = { Name = "${local.names.cluster}-${each.key}", ManagedBy = "triton-ops", Project = var.name_prefix, Environment = var.environment, Stage = "gpu-nodes" }
  }

  lifecycle {
    # The tag specifications hold only values fixed for the life of the stack (name, project,
    # environment, stage), so ignoring later changes loses nothing on AWS. The emulator echoes the
    # template's own tags back as an extra "launch-template" specification, which would otherwise
    # show as drift on every plan there.
    ignore_changes = [tag_specifications]
  }
}

# The GPU pool's bounds where a change to them must replace the node groups (replace_on_scaling_change,
# the emulator). On AWS its input is a constant null, so it never triggers and the bounds update in place.
# Always one instance: replace_triggered_by cannot point at a resource counted to zero.
resource "terraform_data" "gpu_scaling" {
  input = var.replace_on_scaling_change ? { min_size = var.min_size, max_size = var.max_size } : null
}

resource "aws_eks_node_group" "gpu" {
  cluster_name    = var.cluster_name
  node_group_name = local.names.gpu_node_group
  node_role_arn   = var.node_role_arn
  subnet_ids      = var.private_subnet_ids
  ami_type        = "AL2023_x86_64_NVIDIA"
  instance_types  = var.instance_types
  capacity_type   = var.capacity_type

  scaling_config {
    min_size     = var.min_size
    desired_size = var.desired_size
    max_size     = var.max_size
  }

  launch_template {
    id      = aws_launch_template.this["gpu"].id
    version = aws_launch_template.this["gpu"].latest_version
  }

  dynamic "update_config" {
    for_each = var.max_unavailable == null ? [] : [var.max_unavailable]
    content {
      max_unavailable = update_config.value
    }
  }

  labels = local.gpu_labels

  # Only pods that ask for GPUs (and tolerate this) land on the expensive nodes.
  taint {
    key    = "nvidia.com/gpu"
    value  = "true"
    effect = "NO_SCHEDULE"
  }

  lifecycle {
    # desired_size: after creation the cluster autoscaler (or an operator) owns it; re-applying must
    # not scale the group back. remote_access: we never enable SSH (nodes are reached through SSM),
    # but the emulator reports every node group with an SSH key, and a changed remote_access forces
    # replacement; ignoring it keeps converged plans empty there without changing real AWS behaviour.
    ignore_changes       = [scaling_config[0].desired_size, remote_access]
    replace_triggered_by = [terraform_data.gpu_scaling]

    precondition {
      condition     = var.min_size <= var.desired_size && var.desired_size <= var.max_size
      error_message = "GPU node counts must satisfy min_size <= desired_size <= max_size."
    }
  }
}

resource "aws_eks_node_group" "system" {
  count = var.enable_system_node_group ? 1 : 0

  cluster_name    = var.cluster_name
  node_group_name = local.names.system_node_group
  node_role_arn   = var.node_role_arn
  subnet_ids      = var.private_subnet_ids
  ami_type        = "AL2023_x86_64_STANDARD"
  instance_types  = var.system_instance_types
  capacity_type   = "ON_DEMAND"

  scaling_config {
    min_size     = var.system_min_size
    desired_size = var.system_desired_size
    max_size     = var.system_max_size
  }

  launch_template {
    id      = aws_launch_template.this["system"].id
    version = aws_launch_template.this["system"].latest_version
  }

  dynamic "update_config" {
    for_each = var.max_unavailable == null ? [] : [var.max_unavailable]
    content {
      max_unavailable = update_config.value
    }
  }

  labels = { "triton-ops/pool" = "system" }

  lifecycle {
    # See the GPU node group.
    ignore_changes = [scaling_config[0].desired_size, remote_access]

    precondition {
      condition     = var.system_min_size <= var.system_desired_size && var.system_desired_size <= var.system_max_size
      error_message = "System node counts must satisfy system_min_size <= system_desired_size <= system_max_size."
    }
  }
}

resource "aws_eks_addon" "coredns" {
  count = var.enable_addons ? 1 : 0

  cluster_name                = var.cluster_name
  addon_name                  = "coredns"
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "PRESERVE"

  depends_on = [aws_eks_node_group.gpu, aws_eks_node_group.system]
}

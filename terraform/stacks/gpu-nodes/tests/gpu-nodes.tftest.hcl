mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
  mock_data "aws_availability_zones" {
    defaults = {
      names = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]
    }
  }
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
  mock_data "aws_ec2_instance_type" {
    defaults = {
      gpus = [{ count = 4, manufacturer = "NVIDIA", name = "A10G", memory_size = 24576 }]
    }
  }
}

override_resource {
  target          = aws_eks_node_group.gpu
  override_during = plan
  values = {
    resources = [{ autoscaling_groups = [{ name = "eks-acme-dev-gpu-1234" }], remote_access_security_group_id = "" }]
  }
}

variables {
  name_prefix                        = "acme"
  environment                        = "dev"
  region                             = "us-east-1"
  cluster_name                       = "acme-dev"
  cluster_endpoint                   = "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com"
  cluster_certificate_authority_data = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"
  node_role_arn                      = "arn:aws:iam::123456789012:role/acme-dev-eks-node"
  private_subnet_ids                 = ["subnet-a", "subnet-b"]
}

run "gpu_pool" {
  command = plan

  assert {
    condition     = aws_launch_template.this["gpu"].metadata_options[0].http_tokens == "required"
    error_message = "IMDSv2 is required."
  }
  assert {
    condition     = aws_launch_template.this["gpu"].metadata_options[0].http_put_response_hop_limit == 1
    error_message = "Pods cannot reach the instance metadata by default."
  }
  assert {
    condition     = aws_launch_template.this["gpu"].block_device_mappings[0].ebs[0].encrypted == "true" && aws_launch_template.this["gpu"].block_device_mappings[0].ebs[0].volume_type == "gp3"
    error_message = "The root volume is encrypted gp3."
  }
  assert {
    condition     = aws_launch_template.this["gpu"].block_device_mappings[0].ebs[0].volume_size == 100
    error_message = "The root volume has room for Triton images."
  }
  assert {
    condition     = aws_eks_node_group.gpu.ami_type == "AL2023_x86_64_NVIDIA" && aws_eks_node_group.gpu.instance_types == tolist(["g5.xlarge"])
    error_message = "GPU nodes run the AL2023 NVIDIA AMI on GPU instances."
  }
  assert {
    condition     = aws_eks_node_group.gpu.labels["nvidia.com/gpu.present"] == "true" && aws_eks_node_group.gpu.labels["triton-ops/pool"] == "gpu"
    error_message = "GPU nodes carry the labels Triton selects."
  }
  assert {
    condition     = one([for t in aws_eks_node_group.gpu.taint : t if t.key == "nvidia.com/gpu" && t.value == "true" && t.effect == "NO_SCHEDULE"]) != null
    error_message = "GPU nodes are tainted nvidia.com/gpu=true:NoSchedule."
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.this["gpu"].user_data), "Content-Type: application/node.eks.aws") && strcontains(base64decode(aws_launch_template.this["gpu"].user_data), "kind: NodeConfig")
    error_message = "User data is a nodeadm NodeConfig inside MIME multipart."
  }
  assert {
    condition     = strcontains(base64decode(aws_launch_template.this["gpu"].user_data), "apiServerEndpoint: https://ABCDEF.gr7.us-east-1.eks.amazonaws.com")
    error_message = "The NodeConfig names the cluster endpoint."
  }
  assert {
    condition     = length(aws_eks_node_group.system) == 1 && length(aws_eks_node_group.system[0].taint) == 0
    error_message = "A small untainted system pool runs add-ons and monitoring."
  }
}

run "spot_without_system_pool" {
  command = plan

  variables {
    capacity_type            = "SPOT"
    enable_system_node_group = false
    instance_types           = ["g6.xlarge", "g5.xlarge"]
  }

  assert {
    condition     = aws_eks_node_group.gpu.capacity_type == "SPOT" && length(aws_eks_node_group.system) == 0
    error_message = "Spot GPU nodes, no system pool."
  }
}

run "rejects_cpu_instance" {
  command = plan
  variables { instance_types = ["m5.large"] }
  expect_failures = [var.instance_types]
}

run "rejects_min_above_desired" {
  command = plan
  variables {
    min_size     = 3
    desired_size = 2
    max_size     = 4
  }
  expect_failures = [aws_eks_node_group.gpu]
}

run "rejects_small_root_volume" {
  command = plan
  variables { root_volume_size_gb = 20 }
  expect_failures = [var.root_volume_size_gb]
}

run "rejects_open_imds" {
  command = plan
  variables { metadata_hop_limit = 3 }
  expect_failures = [var.metadata_hop_limit]
}

run "update_config_sets_max_unavailable" {
  command = plan

  variables { max_unavailable = 2 }

  assert {
    condition     = aws_eks_node_group.gpu.update_config[0].max_unavailable == 2 && aws_eks_node_group.system[0].update_config[0].max_unavailable == 2
    error_message = "gpu.maxUnavailable sets how many nodes a version update replaces at once."
  }
}

run "update_config_left_out_on_the_sandbox" {
  command = plan

  variables { max_unavailable = null }

  assert {
    condition     = length(aws_eks_node_group.gpu.update_config) == 0
    error_message = "null leaves update_config out."
  }
}

run "rejects_zero_max_unavailable" {
  command = plan

  variables { max_unavailable = 0 }

  expect_failures = [var.max_unavailable]
}

run "scales_from_zero" {
  command = plan

  variables {
    instance_types = ["g5.12xlarge"]
    min_size       = 0
    desired_size   = 0
  }

  assert {
    condition     = aws_eks_node_group.gpu.scaling_config[0].min_size == 0
    error_message = "The GPU pool may rest at zero nodes."
  }
  assert {
    condition     = length(aws_autoscaling_group_tag.gpu) == 6 && alltrue([for t in aws_autoscaling_group_tag.gpu : t.autoscaling_group_name == "eks-acme-dev-gpu-1234" && !t.tag[0].propagate_at_launch])
    error_message = "The GPU node group's Auto Scaling group carries the autoscaler tags, not propagated to instances."
  }
  assert {
    condition     = aws_autoscaling_group_tag.gpu["gpu/k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu"].tag[0].value == "4"
    error_message = "The node template advertises the instance type's GPUs as nvidia.com/gpu."
  }
  assert {
    condition     = aws_autoscaling_group_tag.gpu["gpu/k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"].tag[0].value == "true:NoSchedule"
    error_message = "The node template carries the GPU taint the node group sets."
  }
  assert {
    condition     = aws_autoscaling_group_tag.gpu["gpu/k8s.io/cluster-autoscaler/node-template/label/triton-ops/pool"].tag[0].value == aws_eks_node_group.gpu.labels["triton-ops/pool"]
    error_message = "The node template carries the pool label Triton selects."
  }
  assert {
    condition     = aws_autoscaling_group_tag.gpu["gpu/k8s.io/cluster-autoscaler/acme-dev"].tag[0].value == "owned" && aws_autoscaling_group_tag.gpu["gpu/k8s.io/cluster-autoscaler/enabled"].tag[0].value == "true"
    error_message = "The group is discoverable by tag, for this cluster only."
  }
}

run "spot_first_with_on_demand_fallback" {
  command = plan

  variables {
    enable_spot_first = true
    min_size          = 1
    max_size          = 3
  }

  assert {
    condition     = aws_eks_node_group.gpu_spot[0].capacity_type == "SPOT" && aws_eks_node_group.gpu.capacity_type == "ON_DEMAND"
    error_message = "Spot and on-demand GPU groups both exist."
  }
  assert {
    condition     = aws_eks_node_group.gpu_spot[0].node_group_name == "acme-dev-gpu-spot" && can(regex(".*-gpu-spot.*", "eks-${aws_eks_node_group.gpu_spot[0].node_group_name}-1234"))
    error_message = "The spot group's Auto Scaling group matches the priority expander's first pattern."
  }
  assert {
    condition     = !can(regex(".*-gpu-spot.*", "eks-${aws_eks_node_group.gpu.node_group_name}-1234"))
    error_message = "The on-demand group does not match the spot pattern, so it is the fallback."
  }
  assert {
    condition     = aws_eks_node_group.gpu_spot[0].scaling_config[0].min_size == 0 && aws_eks_node_group.gpu_spot[0].scaling_config[0].max_size == 3
    error_message = "The spot group rests at zero and may grow to max_size."
  }
  assert {
    condition     = length(aws_autoscaling_group_tag.gpu) == 12 && aws_autoscaling_group_tag.gpu["gpu_spot/k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu"].tag[0].value == "true:NoSchedule"
    error_message = "Both GPU groups carry the node-template tags."
  }
  assert {
    condition     = aws_eks_node_group.gpu_spot[0].taint == aws_eks_node_group.gpu.taint && aws_eks_node_group.gpu_spot[0].labels == aws_eks_node_group.gpu.labels
    error_message = "Spot GPU nodes carry the same taint and labels as on-demand ones."
  }
}

run "rejects_spot_first_on_spot" {
  command = plan

  variables {
    enable_spot_first = true
    capacity_type     = "SPOT"
  }

  expect_failures = [var.enable_spot_first]
}

run "sandbox_skips_asg_tags" {
  command = plan

  variables {
    enable_autoscaler_tags = false
  }

  assert {
    condition     = length(aws_autoscaling_group_tag.gpu) == 0 && length(data.aws_ec2_instance_type.gpu) == 0 && length(output.gpu_node_template_tags) == 0
    error_message = "Where the emulator has no Auto Scaling group, nothing is tagged."
  }
}

run "bounds_update_in_place_on_aws" {
  command = plan

  assert {
    condition     = terraform_data.gpu_scaling.input == null
    error_message = "On AWS a new min/max updates the node group in place; nothing triggers a replacement."
  }
}

run "bounds_replace_on_the_emulator" {
  command = plan

  variables {
    replace_on_scaling_change = true
    max_size                  = 5
  }

  assert {
    condition     = terraform_data.gpu_scaling.input.max_size == 5
    error_message = "On the emulator the bounds are held where a change replaces the node groups."
  }
}

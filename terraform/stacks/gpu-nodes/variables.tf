variable "cluster_name" {
  description = "EKS cluster name (eks stack output)."
  type        = string
}

variable "cluster_endpoint" {
  description = "API server URL (eks stack output), written into the nodes' nodeadm config."
  type        = string
}

variable "cluster_certificate_authority_data" {
  description = "Base64 CA of the API server (eks stack output)."
  type        = string
}

variable "cluster_service_cidr" {
  description = "Service CIDR of the cluster (eks stack output)."
  type        = string
  default     = "172.20.0.0/16"

  validation {
    condition     = can(cidrhost(var.cluster_service_cidr, 0))
    error_message = "cluster_service_cidr must be a CIDR."
  }
}

variable "node_role_arn" {
  description = "Node role ARN (iam stack output)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the nodes (vpc stack output)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 1
    error_message = "At least one private subnet is needed."
  }
}

variable "instance_types" {
  description = "GPU instance types for the GPU node group, in order of preference."
  type        = list(string)
  default     = ["g5.xlarge"]

  validation {
    condition     = length(var.instance_types) > 0 && alltrue([for t in var.instance_types : can(regex("^(g4dn|g5|g5g|g6|g6e|gr6|p3|p4d|p4de|p5|p5e)\\.[0-9a-z]+$", t))])
    error_message = "instance_types must be GPU instance types (g4dn, g5, g6, g6e, p3, p4d, p5 families), e.g. g5.xlarge."
  }
}

variable "capacity_type" {
  description = "ON_DEMAND or SPOT."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.capacity_type)
    error_message = "capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "min_size" {
  description = "Minimum GPU nodes."
  type        = number
  default     = 1

  validation {
    condition     = var.min_size >= 0
    error_message = "min_size must be 0 or more."
  }
}

variable "desired_size" {
  description = "Desired GPU nodes at creation (afterwards the cluster autoscaler owns it)."
  type        = number
  default     = 1
}

variable "max_size" {
  description = "Maximum GPU nodes."
  type        = number
  default     = 2

  validation {
    condition     = var.max_size >= 1
    error_message = "max_size must be at least 1."
  }
}

variable "max_unavailable" {
  description = "Nodes of a group replaced at once during a version update (update_config). EKS also launches up to twice the group's AZ count of surge nodes; `triton-ops upgrade` shows both before it starts. null leaves the block out (the sandbox: the emulator reads it back empty)."
  type        = number
  default     = 1
  nullable    = true

  validation {
    condition     = coalesce(var.max_unavailable, 1) >= 1 && coalesce(var.max_unavailable, 1) <= 100 && floor(coalesce(var.max_unavailable, 1)) == coalesce(var.max_unavailable, 1)
    error_message = "max_unavailable must be a whole number from 1 to 100 (the EKS limit)."
  }
}

variable "root_volume_size_gb" {
  description = "Root volume size: Triton images are large (10-20 GB each), with room for several versions."
  type        = number
  default     = 100

  validation {
    condition     = var.root_volume_size_gb >= 50 && var.root_volume_size_gb <= 2000
    error_message = "root_volume_size_gb must be from 50 to 2000."
  }
}

variable "metadata_hop_limit" {
  description = "IMDSv2 hop limit: 1 keeps pods away from the instance metadata (and the node role); 2 lets pods reach it."
  type        = number
  default     = 1

  validation {
    condition     = var.metadata_hop_limit >= 1 && var.metadata_hop_limit <= 2
    error_message = "metadata_hop_limit must be 1 or 2."
  }
}

variable "kubelet_max_pods" {
  description = "maxPods for the kubelet; 0 keeps the EKS default for the instance type."
  type        = number
  default     = 0
}

variable "enable_system_node_group" {
  description = "A small CPU node group for add-ons and monitoring, so GPU nodes only run GPU work."
  type        = bool
  default     = true
}

variable "system_instance_types" {
  description = "Instance types of the system node group."
  type        = list(string)
  default     = ["t3.large"]
}

variable "system_min_size" {
  description = "Minimum system nodes."
  type        = number
  default     = 1
}

variable "system_desired_size" {
  description = "Desired system nodes."
  type        = number
  default     = 2
}

variable "system_max_size" {
  description = "Maximum system nodes."
  type        = number
  default     = 3
}

variable "enable_addons" {
  description = "Manage the CoreDNS add-on (it needs nodes, so it lives here). The sandbox turns this off."
  type        = bool
  default     = true
}

variable "replace_on_scaling_change" {
  description = "Replace the GPU node groups rather than update their min/max in place. On for the emulator only: it has no EKS DescribeUpdate, which Terraform polls after an in-place UpdateNodegroupConfig. Off (in place) on AWS."
  type        = bool
  default     = false
}

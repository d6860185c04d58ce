variable "kubernetes_version" {
  # No default: a version baked in here goes stale within months. triton-ops passes the configured
  # one, checked against EKS's support calendar.
  description = "EKS Kubernetes minor version, e.g. 1.35."
  type        = string

  validation {
    condition     = can(regex("^1\\.(2[89]|3[0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be an EKS minor version from 1.28 to 1.39, e.g. \"1.35\"."
  }
}

variable "vpc_id" {
  description = "VPC of the cluster (vpc stack output)."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123abcd."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets for the control plane ENIs and nodes, in at least two AZs (vpc stack output)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "EKS needs subnets in at least two AZs."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets (vpc stack output); not given to the control plane."
  type        = list(string)
  default     = []
}

variable "cluster_role_arn" {
  description = "ARN of the EKS cluster role (iam stack output)."
  type        = string
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API endpoint publicly, limited to public_access_cidrs. The private endpoint is always on."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.public_access_cidrs : can(cidrhost(c, 0))])
    error_message = "Every public_access_cidrs entry must be a CIDR such as 203.0.113.0/24."
  }
}

variable "service_ipv4_cidr" {
  description = "CIDR Kubernetes service IPs come from (RFC 1918, /12 to /24, not overlapping the VPC); null lets EKS choose 10.100.0.0/16 or 172.20.0.0/16."
  type        = string
  default     = null

  validation {
    condition = var.service_ipv4_cidr == null || (
      can(cidrhost(var.service_ipv4_cidr, 0)) &&
      tonumber(split("/", coalesce(var.service_ipv4_cidr, "0.0.0.0/0"))[1]) >= 12 &&
      tonumber(split("/", coalesce(var.service_ipv4_cidr, "0.0.0.0/0"))[1]) <= 24
    )
    error_message = "service_ipv4_cidr must be a CIDR with a prefix from /12 to /24, e.g. 172.20.0.0/16."
  }
}

variable "enabled_log_types" {
  description = "Control-plane log types sent to CloudWatch."
  type        = list(string)
  default     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  validation {
    condition     = alltrue([for t in var.enabled_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "enabled_log_types may hold api, audit, authenticator, controllerManager and scheduler."
  }
}

variable "log_retention_days" {
  description = "Retention of the control-plane log group, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "kms_deletion_window_days" {
  description = "Days a destroyed KMS key waits before it is deleted (7-30)."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be from 7 to 30."
  }
}

variable "support_type" {
  description = "Upgrade policy at the end of standard support: EXTENDED stays on the version at the extended-support price, STANDARD lets EKS upgrade the control plane. null leaves the block out (the sandbox: the emulator ignores it)."
  type        = string
  default     = "EXTENDED"
  nullable    = true

  validation {
    condition     = contains(["STANDARD", "EXTENDED"], coalesce(var.support_type, "EXTENDED"))
    error_message = "support_type must be STANDARD or EXTENDED."
  }
}

variable "enable_access_entries" {
  description = "Manage EKS access entries (API authentication mode). The sandbox turns this off: the emulator lacks the API."
  type        = bool
  default     = true
}

variable "admin_principal_arns" {
  description = "IAM principals given cluster-admin through access entries."
  type        = list(string)
  default     = []
}

variable "ci_role_arn" {
  description = "The GitHub Actions deploy role (iam stack output); gets admin rights in the triton and monitoring namespaces. Empty for none."
  type        = string
  default     = ""
}

variable "enable_addons" {
  description = "Manage the vpc-cni, kube-proxy and eks-pod-identity-agent add-ons. The sandbox turns this off: the emulator lacks the API."
  type        = bool
  default     = true
}

variable "oidc_thumbprints" {
  description = "Thumbprints for the cluster's IAM OIDC provider. AWS validates EKS issuers against its own trusted CAs; the API still requires a value. No tls provider is available offline to compute it."
  type        = list(string)
  default     = ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
}

variable "model_bucket_arn" {
  description = "ARN of the model bucket (ecr stack output); Triton gets read-only access to it."
  type        = string
}

variable "triton_namespace" {
  description = "Namespace of Triton's service account."
  type        = string
  default     = "triton"
}

variable "triton_service_account" {
  description = "Name of Triton's service account (IRSA)."
  type        = string
  default     = "triton"
}

variable "vpc_cidr" {
  description = "CIDR block of the VPC, /16 to /24."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && cidrhost(var.vpc_cidr, 0) == split("/", var.vpc_cidr)[0] && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24
    error_message = "vpc_cidr must be a network address with a prefix from /16 to /24, e.g. 10.0.0.0/16."
  }
}

variable "az_count" {
  description = "Number of availability zones: one public and one private subnet in each (EKS needs at least 2)."
  type        = number
  default     = 3

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 6 && floor(var.az_count) == var.az_count
    error_message = "az_count must be a whole number from 2 to 6."
  }
}

variable "nat_gateway_mode" {
  description = "\"single\": one NAT gateway for all private subnets (cheaper); \"per-az\": one per AZ (survives an AZ outage)."
  type        = string
  default     = "single"

  validation {
    condition     = contains(["single", "per-az"], var.nat_gateway_mode)
    error_message = "nat_gateway_mode must be \"single\" or \"per-az\"."
  }
}

variable "enable_flow_logs" {
  description = "Send VPC flow logs to a CloudWatch log group owned by this stack."
  type        = bool
  default     = false
}

variable "flow_logs_retention_days" {
  description = "Retention of the flow log group, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs_retention_days)
    error_message = "flow_logs_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

# Common to every stack: the CLI writes these from triton-ops.yaml.
variable "name_prefix" {
  description = "Prefix of every resource name: 2-20 lower-case letters, digits or hyphens."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-20 lower-case letters, digits or hyphens, start with a letter and not end with a hyphen."
  }
}

variable "environment" {
  description = "Environment name such as dev, staging or prod: 1-10 lower-case letters and digits."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,9}$", var.environment))
    error_message = "environment must be 1-10 lower-case letters or digits, starting with a letter."
  }
}

variable "region" {
  description = "AWS region, e.g. us-east-1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region such as us-east-1."
  }
}

variable "tags" {
  description = "Extra tags for every resource, next to Project, Environment, Stage and ManagedBy."
  type        = map(string)
  default     = {}
}

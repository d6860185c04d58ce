variable "name_prefix" {
  description = "Prefix of every resource name: lower-case letters, digits and hyphens, 2-20 characters."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,18}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-20 lower-case letters, digits or hyphens, start with a letter and not end with a hyphen."
  }
}

variable "environment" {
  description = "Environment name (dev, staging, prod): 1-10 lower-case letters and digits."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,9}$", var.environment))
    error_message = "environment must be 1-10 lower-case letters or digits, starting with a letter."
  }
}

variable "account_id" {
  description = "AWS account id, for names that must be globally unique (the model bucket). Empty when unknown."
  type        = string
  default     = ""
}

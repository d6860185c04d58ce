variable "github_repository" {
  description = "GitHub repository (OWNER/NAME) allowed to deploy through OIDC; empty for no CI role."
  type        = string
  default     = ""

  validation {
    condition     = var.github_repository == "" || can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be OWNER/NAME with no wildcards."
  }
}

variable "github_branch" {
  description = "Branch whose workflows may assume the deploy role (used when github_environment is empty)."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.github_branch)) && !strcontains(var.github_branch, "*")
    error_message = "github_branch must be a branch name without wildcards."
  }
}

variable "github_environment" {
  description = "GitHub deployment environment; when set, the trust is pinned to it instead of the branch."
  type        = string
  default     = ""

  validation {
    condition     = var.github_environment == "" || can(regex("^[A-Za-z0-9._-]+$", var.github_environment))
    error_message = "github_environment must be an environment name without wildcards."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the token.actions.githubusercontent.com OIDC provider; false when the account already has one (it is account-wide)."
  type        = bool
  default     = true
}

variable "existing_github_oidc_provider_arn" {
  description = "ARN of the account's existing GitHub OIDC provider, when create_github_oidc_provider is false."
  type        = string
  default     = ""
}

variable "github_oidc_thumbprints" {
  description = "Thumbprints for the GitHub OIDC provider. AWS no longer checks them for this provider, but the API requires one."
  type        = list(string)
  default     = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

variable "github_repository_id" {
  description = "GitHub's numeric id of github_repository; with github_owner_id, the roles also trust the immutable subject form."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([1-9][0-9]*)?$", var.github_repository_id))
    error_message = "github_repository_id must be GitHub's numeric repository id, or empty."
  }
}

variable "github_owner_id" {
  description = "GitHub's numeric id of the repository's owner (user or organization); set together with github_repository_id."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([1-9][0-9]*)?$", var.github_owner_id))
    error_message = "github_owner_id must be GitHub's numeric owner id, or empty."
  }
}

variable "state_bucket" {
  description = "S3 bucket holding the Terraform state (team mode), which the plan role reads; empty with local state."
  type        = string
  default     = ""

  validation {
    condition     = var.state_bucket == "" || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be an S3 bucket name, or empty."
  }
}

variable "state_key_prefix" {
  description = "Key prefix of the state objects in state_bucket."
  type        = string
  default     = ""

  validation {
    condition     = !strcontains(var.state_key_prefix, "*")
    error_message = "state_key_prefix must not contain wildcards."
  }
}

variable "image_tag_mutability" {
  description = "IMMUTABLE (default: a tag always means the same image; CI tags with the commit SHA) or MUTABLE."
  type        = string
  default     = "IMMUTABLE"

  validation {
    condition     = contains(["IMMUTABLE", "MUTABLE"], var.image_tag_mutability)
    error_message = "image_tag_mutability must be IMMUTABLE or MUTABLE."
  }
}

variable "force_delete" {
  description = "Let Terraform delete the repository with images in it. Off: `triton-ops down` empties it explicitly, after confirmation."
  type        = bool
  default     = false
}

variable "untagged_image_expiry_days" {
  description = "Untagged images older than this many days are expired by the lifecycle policy."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_image_expiry_days >= 1 && var.untagged_image_expiry_days <= 365
    error_message = "untagged_image_expiry_days must be from 1 to 365."
  }
}

variable "max_tagged_images" {
  description = "Keep at most this many tagged images; 0 keeps all."
  type        = number
  default     = 50

  validation {
    condition     = var.max_tagged_images >= 0
    error_message = "max_tagged_images must be 0 or more."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the repository and the model bucket; empty uses AWS-managed encryption (AES256 / SSE-S3)."
  type        = string
  default     = ""
}

variable "model_bucket_force_destroy" {
  description = "Let Terraform delete the model bucket with objects in it. Off: models are never lost by a destroy."
  type        = bool
  default     = false
}

variable "enable_tls_only_policy" {
  description = "Attach the bucket policy that denies requests without TLS. The sandbox turns it off: its emulator speaks plain HTTP only, and enforces the policy."
  type        = bool
  default     = true
}

variable "model_noncurrent_version_days" {
  description = "Days an overwritten or deleted model file's old version is kept (to roll back) before it expires."
  type        = number
  default     = 30

  validation {
    condition     = var.model_noncurrent_version_days >= 1 && floor(var.model_noncurrent_version_days) == var.model_noncurrent_version_days
    error_message = "model_noncurrent_version_days must be a whole number of days, 1 or more."
  }
}

variable "enable_model_lifecycle" {
  description = "Give the model bucket its lifecycle rules: old versions expire after model_noncurrent_version_days, unfinished uploads are aborted after 7 days. Off where they are managed elsewhere."
  type        = bool
  default     = true
}

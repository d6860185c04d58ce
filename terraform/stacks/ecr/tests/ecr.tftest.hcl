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
}

variables {
  name_prefix = "acme"
  environment = "dev"
  region      = "us-east-1"
}

run "secure_defaults" {
  command = plan

  assert {
    condition     = aws_ecr_repository.this.name == "acme-dev-triton" && aws_ecr_repository.this.image_tag_mutability == "IMMUTABLE"
    error_message = "Tags are immutable by default."
  }
  assert {
    condition     = aws_ecr_repository.this.image_scanning_configuration[0].scan_on_push
    error_message = "Images are scanned on push."
  }
  assert {
    condition     = aws_ecr_repository.this.force_delete == false && aws_s3_bucket.models.force_destroy == false
    error_message = "Nothing is deleted with its contents by default."
  }
  assert {
    condition     = aws_ecr_repository.this.encryption_configuration[0].encryption_type == "AES256"
    error_message = "The repository is encrypted."
  }
  assert {
    condition     = aws_s3_bucket.models.bucket == "acme-dev-models-123456789012"
    error_message = "The model bucket name is unique per account."
  }
  assert {
    condition = (aws_s3_bucket_public_access_block.models.block_public_acls && aws_s3_bucket_public_access_block.models.block_public_policy
    && aws_s3_bucket_public_access_block.models.ignore_public_acls && aws_s3_bucket_public_access_block.models.restrict_public_buckets)
    error_message = "All public access to the model bucket is blocked."
  }
  assert {
    condition     = aws_s3_bucket_versioning.models.versioning_configuration[0].status == "Enabled"
    error_message = "Model versions are kept."
  }
  assert {
    condition = (one([for r in aws_s3_bucket_lifecycle_configuration.models[0].rule : r.abort_incomplete_multipart_upload[0].days_after_initiation if r.id == "abort-incomplete-uploads"]) == 7
    && one([for r in aws_s3_bucket_lifecycle_configuration.models[0].rule : r.noncurrent_version_expiration[0].noncurrent_days if r.id == "expire-old-model-versions"]) == 30)
    error_message = "Incomplete uploads are aborted after a week, and old model versions expire after 30 days."
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.models.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "AES256"
    error_message = "The model bucket is encrypted at rest."
  }
  assert {
    condition = anytrue([for s in data.aws_iam_policy_document.models_tls_only.statement :
    s.effect == "Deny" && anytrue([for c in s.condition : c.variable == "aws:SecureTransport" && contains(c.values, "false")])])
    error_message = "The bucket policy denies requests without TLS."
  }
  assert {
    condition     = length(aws_s3_bucket_policy.models) == 1
    error_message = "Real AWS attaches the TLS-only bucket policy."
  }
  assert {
    condition     = jsondecode(aws_ecr_lifecycle_policy.this.policy).rules[0].selection.tagStatus == "untagged"
    error_message = "Untagged images expire."
  }
}

run "sandbox_without_tls_policy" {
  command = plan

  variables {
    enable_tls_only_policy = false
  }

  assert {
    condition     = length(aws_s3_bucket_policy.models) == 0
    error_message = "The sandbox leaves the TLS-only policy off, because its emulator has no TLS endpoint."
  }
}

run "kms_encryption" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition     = aws_ecr_repository.this.encryption_configuration[0].encryption_type == "KMS"
    error_message = "A KMS key switches the repository to KMS encryption."
  }
}

run "rejects_bad_mutability" {
  command = plan
  variables { image_tag_mutability = "SOMETIMES" }
  expect_failures = [var.image_tag_mutability]
}

run "rejects_zero_expiry" {
  command = plan
  variables { untagged_image_expiry_days = 0 }
  expect_failures = [var.untagged_image_expiry_days]
}

run "rejects_zero_noncurrent_days" {
  command = plan
  variables { model_noncurrent_version_days = 0 }
  expect_failures = [var.model_noncurrent_version_days]
}

run "lifecycle_off" {
  command = plan
  variables { enable_model_lifecycle = false }

  assert {
    condition     = length(aws_s3_bucket_lifecycle_configuration.models) == 0
    error_message = "enable_model_lifecycle = false leaves the bucket's lifecycle to whoever manages it."
  }
}

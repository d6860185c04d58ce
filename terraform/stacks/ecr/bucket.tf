# Triton's model repository (s3://bucket/models), read by Triton through its IRSA role.

resource "aws_s3_bucket" "models" {
  bucket        = local.names.model_bucket
  force_destroy = var.model_bucket_force_destroy

  lifecycle {
    precondition {
      condition     = length(local.names.model_bucket) >= 3 && length(local.names.model_bucket) <= 63
      error_message = "The model bucket name <prefix>-<env>-models-<account> must be 3-63 characters; shorten name_prefix or environment."
    }
  }
}

resource "aws_s3_bucket_ownership_controls" "models" {
  bucket = aws_s3_bucket.models.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "models" {
  bucket = aws_s3_bucket.models.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "models" {
  bucket = aws_s3_bucket.models.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "models" {
  bucket = aws_s3_bucket.models.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == "" ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn == "" ? null : var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != ""
  }
}

data "aws_iam_policy_document" "models_tls_only" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.models.arn,
      "${aws_s3_bucket.models.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "models" {
  count  = var.enable_tls_only_policy ? 1 : 0
  bucket = aws_s3_bucket.models.id
  policy = data.aws_iam_policy_document.models_tls_only.json

  # A bucket policy on a bucket whose public access block is still being set can be refused.
  depends_on = [aws_s3_bucket_public_access_block.models]
}

# The policy gained a count (the sandbox has no TLS endpoint); existing state keeps its one instance.
moved {
  from = aws_s3_bucket_policy.models
  to   = aws_s3_bucket_policy.models[0]
}

# Versioning keeps every model file a sync overwrote or deleted, and a sync killed mid-upload leaves its
# parts behind: both are billed storage nobody sees in a listing. Old versions are kept long enough to roll
# a model back, then expire; an upload not completed within a week is aborted.
resource "aws_s3_bucket_lifecycle_configuration" "models" {
  count  = var.enable_model_lifecycle ? 1 : 0
  bucket = aws_s3_bucket.models.id

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  rule {
    id     = "expire-old-model-versions"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.model_noncurrent_version_days
    }

    # A delete marker with no version left behind it hides nothing; it goes too.
    expiration {
      expired_object_delete_marker = true
    }
  }

  # Rules about noncurrent versions need versioning in place first.
  depends_on = [aws_s3_bucket_versioning.models]
}

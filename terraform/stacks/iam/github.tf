# GitHub Actions deploys with short-lived credentials: an OIDC identity provider, a deploy role whose
# trust is pinned to exactly one repository and branch (or environment) through the `sub` claim, and a
# read-only plan role trusted only by that repository's pull requests.
#
# GitHub sends one of two `sub` forms: the name form `repo:OWNER/NAME:...`, and, for repositories created
# or renamed on github.com since 2026-06-18, the immutable form `repo:OWNER-OWNERID/NAME-REPOID:...`.
# With both ids given, each role trusts both forms of the same one subject (StringEquals with two values
# is an OR), so the trust keeps working whichever the repository sends.

locals {
  create_ci  = var.github_repository != ""
  with_ids   = var.github_repository_id != "" && var.github_owner_id != ""
  repo_owner = split("/", var.github_repository)[0]
  repo_name  = try(split("/", var.github_repository)[1], "")

  # The repository part of each subject form the roles accept.
  subject_repos = concat(
    [var.github_repository],
    local.with_ids ? ["${local.repo_owner}-${var.github_owner_id}/${local.repo_name}-${var.github_repository_id}"] : [],
  )
  deploy_suffix   = var.github_environment != "" ? "environment:${var.github_environment}" : "ref:refs/heads/${var.github_branch}"
  github_subjects = [for r in local.subject_repos : "repo:${r}:${local.deploy_suffix}"]
  plan_subjects   = [for r in local.subject_repos : "repo:${r}:pull_request"]
  github_subject  = local.github_subjects[0]

  github_provider = var.create_github_oidc_provider ? try(aws_iam_openid_connect_provider.github[0].arn, "") : var.existing_github_oidc_provider_arn
  repository_arn  = "arn:${local.partition}:ecr:${var.region}:${local.account}:repository/${local.names.ecr_repository}"
  cluster_arn     = "arn:${local.partition}:eks:${var.region}:${local.account}:cluster/${local.names.cluster}"
  # The ecr stack's bucket, named by the same naming module (S3 ARNs carry no region or account).
  model_bucket_arn = "arn:${local.partition}:s3:::${local.names.model_bucket}"
}

resource "aws_iam_openid_connect_provider" "github" {
  count = local.create_ci && var.create_github_oidc_provider ? 1 : 0

  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = var.github_oidc_thumbprints
}

# One trust document per role; they differ only in the subjects they accept.
data "aws_iam_policy_document" "github_trust" {
  for_each = local.create_ci ? { deploy = local.github_subjects, plan = local.plan_subjects } : {}

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.github_provider]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    # StringEquals, never StringLike: a wildcard here would let any branch or fork deploy.
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = each.value
    }
  }
}

resource "aws_iam_role" "github_actions" {
  count = local.create_ci ? 1 : 0

  name                 = local.names.github_actions_role
  description          = "GitHub Actions deploys from ${local.github_subject}"
  assume_role_policy   = data.aws_iam_policy_document.github_trust["deploy"].json
  max_session_duration = 3600

  lifecycle {
    precondition {
      condition     = local.github_provider != ""
      error_message = "With create_github_oidc_provider = false, set existing_github_oidc_provider_arn."
    }
  }
}

# Exactly what the deploy workflow does with AWS: push the image, describe the cluster to reach it, and
# the reads `triton-ops verify` makes (ecr.images lists the tags, vpc.no-orphans describes VPCs).
data "aws_iam_policy_document" "github_deploy" {
  count = local.create_ci ? 1 : 0

  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushTritonImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      # `triton-ops ci check` and `image push` read the repository's tag mutability.
      "ecr:DescribeRepositories",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      # verify's ecr.images.
      "ecr:ListImages",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [local.repository_arn]
  }

  statement {
    sid = "ReadCluster"
    # DescribeCluster for the kubeconfig and verify; the access-entry reads let `ci check` on the runner
    # see that the role may list nodes.
    actions = [
      "eks:DescribeCluster",
      "eks:ListAssociatedAccessPolicies",
    ]
    resources = [local.cluster_arn]
  }

  statement {
    sid = "VerifyReads"
    # verify's vpc.no-orphans. EC2 Describe* calls do not support resource-level permissions.
    actions   = ["ec2:DescribeVpcs"]
    resources = ["*"]
  }

  # `triton-ops models sync`: the model repository lives in the model bucket, which Triton starts on, not in
  # the image. It lists the bucket to compare, uploads (multipart for large files) and deletes with --delete.
  statement {
    sid       = "SyncModelsList"
    actions   = ["s3:ListBucket"]
    resources = [local.model_bucket_arn]
  }

  statement {
    sid = "SyncModelsObjects"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:DeleteObject",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ]
    resources = ["${local.model_bucket_arn}/*"]
  }
}

resource "aws_iam_role_policy" "github_deploy" {
  count = local.create_ci ? 1 : 0

  name   = "deploy-triton"
  role   = aws_iam_role.github_actions[0].id
  policy = data.aws_iam_policy_document.github_deploy[0].json
}

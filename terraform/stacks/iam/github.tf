# GitHub Actions deploys with short-lived credentials: an OIDC identity provider and a role whose
# trust is pinned to exactly one repository and branch (or environment) through the `sub` claim.

locals {
  create_ci       = var.github_repository != ""
  github_subject  = var.github_environment != "" ? "repo:${var.github_repository}:environment:${var.github_environment}" : "repo:${var.github_repository}:ref:refs/heads/${var.github_branch}"
  github_provider = var.create_github_oidc_provider ? try(aws_iam_openid_connect_provider.github[0].arn, "") : var.existing_github_oidc_provider_arn
  repository_arn  = "arn:${local.partition}:ecr:${var.region}:${local.account}:repository/${local.names.ecr_repository}"
  cluster_arn     = "arn:${local.partition}:eks:${var.region}:${local.account}:cluster/${local.names.cluster}"
}

resource "aws_iam_openid_connect_provider" "github" {
  count = local.create_ci && var.create_github_oidc_provider ? 1 : 0

  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = var.github_oidc_thumbprints
}

data "aws_iam_policy_document" "github_trust" {
  count = local.create_ci ? 1 : 0

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
      values   = [local.github_subject]
    }
  }
}

resource "aws_iam_role" "github_actions" {
  count = local.create_ci ? 1 : 0

  name                 = local.names.github_actions_role
  description          = "GitHub Actions deploys from ${local.github_subject}"
  assume_role_policy   = data.aws_iam_policy_document.github_trust[0].json
  max_session_duration = 3600

  lifecycle {
    precondition {
      condition     = local.github_provider != ""
      error_message = "With create_github_oidc_provider = false, set existing_github_oidc_provider_arn."
    }
  }
}

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
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [local.repository_arn]
  }

  statement {
    sid       = "DescribeCluster"
    actions   = ["eks:DescribeCluster"]
    resources = [local.cluster_arn]
  }
}

resource "aws_iam_role_policy" "github_deploy" {
  count = local.create_ci ? 1 : 0

  name   = "deploy-triton"
  role   = aws_iam_role.github_actions[0].id
  policy = data.aws_iam_policy_document.github_deploy[0].json
}

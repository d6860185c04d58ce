# The plan workflow's role: trusted only by pull requests of the repository, it may read what the stacks
# describe and the Terraform state, and write nothing but the state's lock file. Terraform plan refreshes
# every resource, so the reads cover each service the stacks create; no Create/Update/Delete/Put on them.

locals {
  state_objects = var.state_bucket == "" ? [] : ["arn:${local.partition}:s3:::${var.state_bucket}/${var.state_key_prefix == "" ? "" : "${var.state_key_prefix}/"}*"]
}

resource "aws_iam_role" "github_plan" {
  count = local.create_ci ? 1 : 0

  name                 = local.names.github_plan_role
  description          = "Read-only Terraform plan for pull requests of ${var.github_repository}"
  assume_role_policy   = data.aws_iam_policy_document.github_trust["plan"].json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "github_plan" {
  count = local.create_ci ? 1 : 0

  statement {
    sid = "ReadStackedServices"
    actions = [
      "ec2:Describe*",
      "ecr:DescribeImages",
      "ecr:DescribeRepositories",
      "ecr:GetLifecyclePolicy",
      "ecr:GetRepositoryPolicy",
      "ecr:ListTagsForResource",
      "eks:Describe*",
      "eks:List*",
      "iam:GetOpenIDConnectProvider",
      "iam:GetPolicy",
      "iam:GetPolicyVersion",
      "iam:GetRole",
      "iam:GetRolePolicy",
      "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole",
      "iam:ListOpenIDConnectProviders",
      "iam:ListRolePolicies",
      "kms:DescribeKey",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListAliases",
      "kms:ListResourceTags",
      "logs:DescribeLogGroups",
      "logs:ListTagsForResource",
      "logs:ListTagsLogGroup",
      "sts:GetCallerIdentity",
    ]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.state_bucket == "" ? [] : [1]
    content {
      sid       = "ListState"
      actions   = ["s3:ListBucket"]
      resources = ["arn:${local.partition}:s3:::${var.state_bucket}"]
    }
  }

  dynamic "statement" {
    for_each = var.state_bucket == "" ? [] : [1]
    content {
      sid       = "ReadState"
      actions   = ["s3:GetObject"]
      resources = local.state_objects
    }
  }

  # use_lockfile: Terraform writes KEY.tflock next to the state while it plans, and deletes it after.
  dynamic "statement" {
    for_each = var.state_bucket == "" ? [] : [1]
    content {
      sid       = "StateLockFile"
      actions   = ["s3:PutObject", "s3:DeleteObject"]
      resources = [for o in local.state_objects : "${o}.tflock"]
    }
  }
}

resource "aws_iam_role_policy" "github_plan" {
  count = local.create_ci ? 1 : 0

  name   = "plan-read-only"
  role   = aws_iam_role.github_plan[0].id
  policy = data.aws_iam_policy_document.github_plan[0].json
}

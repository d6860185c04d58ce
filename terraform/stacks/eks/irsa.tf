# IAM roles for service accounts: the cluster's OIDC issuer as an IAM identity provider, and a role that
# only Triton's service account in its namespace can assume, reading the model bucket and nothing else.

locals {
  issuer      = try(aws_eks_cluster.this.identity[0].oidc[0].issuer, "")
  issuer_host = replace(local.issuer, "https://", "")
}

resource "aws_iam_openid_connect_provider" "this" {
  url             = local.issuer
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = var.oidc_thumbprints
}

# One trust policy per workload that calls AWS itself, each for its own service account: Triton here,
# cluster-autoscaler and (with an SNS receiver) Alertmanager in cluster-autoscaler.tf.
data "aws_iam_policy_document" "irsa_trust" {
  for_each = merge(
    {
      triton             = "system:serviceaccount:${var.triton_namespace}:${var.triton_service_account}"
      cluster_autoscaler = local.cluster_autoscaler_service_account
    },
    var.alert_sns_topic_arn != "" ? { alertmanager = local.alertmanager_service_account } : {}
  )

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.this.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:sub"
      values   = [each.value]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "triton" {
  name               = local.names.triton_irsa_role
  description        = "Triton in ${local.names.cluster}: reads the model repository"
  assume_role_policy = data.aws_iam_policy_document.irsa_trust["triton"].json
}

data "aws_iam_policy_document" "triton_models" {
  statement {
    sid       = "ListModels"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.model_bucket_arn]
  }
  statement {
    sid       = "ReadModels"
    actions   = ["s3:GetObject"]
    resources = ["${var.model_bucket_arn}/*"]
  }
}

resource "aws_iam_role_policy" "triton_models" {
  name   = "read-model-repository"
  role   = aws_iam_role.triton.id
  policy = data.aws_iam_policy_document.triton_models.json
}

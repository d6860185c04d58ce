# IAM roles for the workloads that call AWS themselves: cluster-autoscaler (always) and Alertmanager (only
# with an SNS receiver). Their variables and outputs live here, beside the roles, so the feature is one file.

locals {
  cluster_autoscaler_service_account = "system:serviceaccount:kube-system:cluster-autoscaler"
  alertmanager_service_account       = "system:serviceaccount:monitoring:alertmanager"
}

variable "alert_sns_topic_arn" {
  description = "SNS topic Alertmanager publishes to (alerts.receiver of type sns); empty for no Alertmanager role."
  type        = string
  default     = ""

  validation {
    condition     = var.alert_sns_topic_arn == "" || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.alert_sns_topic_arn))
    error_message = "alert_sns_topic_arn must be an SNS topic ARN or empty."
  }
}

resource "aws_iam_role" "cluster_autoscaler" {
  name               = "${local.names.cluster}-cluster-autoscaler"
  description        = "cluster-autoscaler in ${local.names.cluster}: scales the project's node groups"
  assume_role_policy = data.aws_iam_policy_document.irsa_trust["cluster_autoscaler"].json
}

# Reads cannot be narrowed (the Describe calls take no resource); every write is limited to Auto Scaling
# groups that EKS made for this cluster's node groups and that carry the auto-discovery tag. jsonencode
# rather than a policy document so the plan, and the tests, see the statements themselves.
resource "aws_iam_role_policy" "cluster_autoscaler" {
  name = "scale-own-node-groups"
  role = aws_iam_role.cluster_autoscaler.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "ReadScalingState"
        Effect = "Allow"
        Action = [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
          "eks:DescribeNodegroup",
        ]
        Resource = "*"
      },
      {
        Sid      = "ScaleOwnNodeGroups"
        Effect   = "Allow"
        Action   = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]
        Resource = "*"
        Condition = {
          StringEquals = {
            "aws:ResourceTag/k8s.io/cluster-autoscaler/${local.names.cluster}" = "owned"
            "aws:ResourceTag/eks:cluster-name"                                 = local.names.cluster
          }
        }
      },
    ]
  })
}

resource "aws_iam_role" "alertmanager" {
  count = var.alert_sns_topic_arn != "" ? 1 : 0

  name               = "${local.names.cluster}-alertmanager"
  description        = "Alertmanager in ${local.names.cluster}: publishes alerts to one SNS topic"
  assume_role_policy = data.aws_iam_policy_document.irsa_trust["alertmanager"].json
}

data "aws_iam_policy_document" "alertmanager" {
  count = var.alert_sns_topic_arn != "" ? 1 : 0

  statement {
    sid       = "PublishAlerts"
    actions   = ["sns:Publish"]
    resources = [var.alert_sns_topic_arn]
  }
}

resource "aws_iam_role_policy" "alertmanager" {
  count = var.alert_sns_topic_arn != "" ? 1 : 0

  name   = "publish-alerts"
  role   = aws_iam_role.alertmanager[0].id
  policy = data.aws_iam_policy_document.alertmanager[0].json
}

output "cluster_autoscaler_irsa_role_arn" {
  description = "IAM role cluster-autoscaler's ServiceAccount (kube-system/cluster-autoscaler) assumes."
  value       = aws_iam_role.cluster_autoscaler.arn
}

output "alertmanager_irsa_role_arn" {
  description = "IAM role Alertmanager's ServiceAccount (monitoring/alertmanager) assumes to publish to SNS; null without an SNS receiver."
  value       = try(aws_iam_role.alertmanager[0].arn, null)
}

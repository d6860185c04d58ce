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

override_resource {
  target          = aws_eks_cluster.this
  override_during = plan
  values = {
    arn                       = "arn:aws:eks:us-east-1:123456789012:cluster/acme-dev"
    endpoint                  = "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com"
    identity                  = [{ oidc = [{ issuer = "https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF" }] }]
    certificate_authority     = [{ data = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t" }]
    kubernetes_network_config = [{ service_ipv4_cidr = "172.20.0.0/16", ip_family = "ipv4", elastic_load_balancing = [] }]
  }
}

override_resource {
  target          = aws_iam_openid_connect_provider.this
  override_during = plan
  values = {
    arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF"
  }
}

variables {
  name_prefix        = "acme"
  kubernetes_version = "1.35"
  environment        = "dev"
  region             = "us-east-1"
  vpc_id             = "vpc-0123abcd"
  private_subnet_ids = ["subnet-a", "subnet-b"]
  cluster_role_arn   = "arn:aws:iam::123456789012:role/acme-dev-eks-cluster"
  model_bucket_arn   = "arn:aws:s3:::acme-dev-models-123456789012"
}

run "cluster_autoscaler_role" {
  command = plan

  assert {
    condition = toset(flatten([for c in data.aws_iam_policy_document.irsa_trust["cluster_autoscaler"].statement[0].condition : c.values])) == toset([
      "system:serviceaccount:kube-system:cluster-autoscaler", "sts.amazonaws.com"
    ])
    error_message = "Only cluster-autoscaler's service account can assume its role."
  }
  assert {
    condition     = alltrue([for c in data.aws_iam_policy_document.irsa_trust["cluster_autoscaler"].statement[0].condition : c.test == "StringEquals"])
    error_message = "The autoscaler's trust conditions are exact."
  }
  assert {
    condition     = alltrue([for a in jsondecode(aws_iam_role_policy.cluster_autoscaler.policy).Statement[0].Action : can(regex("^(autoscaling|ec2|eks):(Describe|Get)", a))])
    error_message = "The unconditioned statement only reads."
  }
  assert {
    condition     = toset(jsondecode(aws_iam_role_policy.cluster_autoscaler.policy).Statement[1].Action) == toset(["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"])
    error_message = "The autoscaler's only writes are setting capacity and terminating instances."
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.cluster_autoscaler.policy).Statement[1].Condition.StringEquals == {
      "aws:ResourceTag/k8s.io/cluster-autoscaler/acme-dev" = "owned"
      "aws:ResourceTag/eks:cluster-name"                   = "acme-dev"
    }
    error_message = "Writes are limited by tag to this cluster's node groups' Auto Scaling groups."
  }
  assert {
    condition     = length(jsondecode(aws_iam_role_policy.cluster_autoscaler.policy).Statement) == 2
    error_message = "Nothing else is allowed."
  }
  assert {
    condition     = length(aws_iam_role.alertmanager) == 0 && output.alertmanager_irsa_role_arn == null
    error_message = "No Alertmanager role without an SNS receiver."
  }
}

run "alertmanager_sns_role" {
  command = plan

  variables {
    alert_sns_topic_arn = "arn:aws:sns:us-east-1:123456789012:triton-alerts"
  }

  assert {
    condition     = length(aws_iam_role.alertmanager) == 1
    error_message = "An SNS receiver gets its IRSA role."
  }
  assert {
    condition = toset(flatten([for c in data.aws_iam_policy_document.irsa_trust["alertmanager"].statement[0].condition : c.values])) == toset([
      "system:serviceaccount:monitoring:alertmanager", "sts.amazonaws.com"
    ])
    error_message = "Only Alertmanager's service account can assume it."
  }
  assert {
    condition     = data.aws_iam_policy_document.alertmanager[0].statement[0].actions == toset(["sns:Publish"]) && data.aws_iam_policy_document.alertmanager[0].statement[0].resources == toset(["arn:aws:sns:us-east-1:123456789012:triton-alerts"])
    error_message = "Alertmanager may only publish to its one topic."
  }
}

run "rejects_bad_topic" {
  command = plan

  variables {
    alert_sns_topic_arn = "arn:aws:s3:::not-a-topic"
  }

  expect_failures = [var.alert_sns_topic_arn]
}

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
  kubernetes_version = "1.35"
  name_prefix        = "acme"
  environment        = "dev"
  region             = "us-east-1"
  vpc_id             = "vpc-0123abcd"
  private_subnet_ids = ["subnet-a", "subnet-b"]
  cluster_role_arn   = "arn:aws:iam::123456789012:role/acme-dev-eks-cluster"
  model_bucket_arn   = "arn:aws:s3:::acme-dev-models-123456789012"
}

run "secure_defaults" {
  command = plan

  assert {
    condition     = aws_kms_key.this.enable_key_rotation
    error_message = "The secrets key rotates."
  }
  assert {
    condition     = aws_eks_cluster.this.encryption_config[0].resources == toset(["secrets"])
    error_message = "Kubernetes secrets are envelope-encrypted."
  }
  assert {
    condition     = aws_eks_cluster.this.vpc_config[0].endpoint_private_access && !aws_eks_cluster.this.vpc_config[0].endpoint_public_access
    error_message = "The API endpoint is private unless asked otherwise."
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/eks/acme-dev/cluster" && aws_cloudwatch_log_group.this.retention_in_days == 30
    error_message = "The stack owns the control-plane log group, with retention."
  }
  assert {
    condition     = length(aws_eks_cluster.this.enabled_cluster_log_types) == 5
    error_message = "All control-plane logs are on."
  }
  assert {
    condition     = aws_eks_cluster.this.access_config[0].authentication_mode == "API_AND_CONFIG_MAP"
    error_message = "Access entries are on against real AWS."
  }
  assert {
    condition     = length(aws_eks_addon.this) == 3
    error_message = "Add-ons are on against real AWS."
  }
  assert {
    condition = toset(flatten([for c in data.aws_iam_policy_document.irsa_trust["triton"].statement[0].condition : c.values])) == toset([
      "system:serviceaccount:triton:triton", "sts.amazonaws.com"
    ])
    error_message = "Only Triton's service account can assume the IRSA role."
  }
  assert {
    condition     = alltrue([for c in data.aws_iam_policy_document.irsa_trust["triton"].statement[0].condition : c.test == "StringEquals"])
    error_message = "IRSA trust conditions are exact."
  }
  assert {
    condition     = toset(flatten([for s in data.aws_iam_policy_document.triton_models.statement : s.actions])) == toset(["s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject"])
    error_message = "Triton only reads the model bucket."
  }
}

run "sandbox_toggles" {
  command = plan

  variables {
    enable_access_entries = false
    enable_addons         = false
    admin_principal_arns  = ["arn:aws:iam::123456789012:role/admin"]
  }

  assert {
    condition     = length(aws_eks_addon.this) == 0 && length(aws_eks_access_entry.admin) == 0 && length(aws_eks_cluster.this.access_config) == 0
    error_message = "The emulator toggles turn off add-ons and access entries."
  }
}

run "admins_and_ci" {
  command = plan

  variables {
    admin_principal_arns = ["arn:aws:iam::123456789012:role/admin"]
    ci_role_arn          = "arn:aws:iam::123456789012:role/acme-dev-github-actions-oidc-role"
  }

  assert {
    condition     = length(aws_eks_access_entry.admin) == 1 && length(aws_eks_access_entry.ci) == 1
    error_message = "Admins and the CI role get access entries."
  }
  assert {
    condition     = aws_eks_access_policy_association.ci[0].access_scope[0].type == "namespace"
    error_message = "The CI role administers only its namespaces."
  }
  assert {
    condition     = endswith(aws_eks_access_policy_association.ci[0].policy_arn, "/AmazonEKSAdminPolicy") && toset(aws_eks_access_policy_association.ci[0].access_scope[0].namespaces) == toset(["triton", "monitoring"])
    error_message = "Namespace admin in triton and monitoring."
  }
  assert {
    condition     = endswith(aws_eks_access_policy_association.ci_view[0].policy_arn, "/AmazonEKSViewPolicy") && aws_eks_access_policy_association.ci_view[0].access_scope[0].type == "cluster"
    error_message = "The CI role reads cluster-scoped objects (nodes) through the view policy at cluster scope, nothing more."
  }
}

run "public_endpoint_needs_cidrs" {
  command = plan
  variables { endpoint_public_access = true }
  expect_failures = [aws_eks_cluster.this]
}

run "rejects_old_version" {
  command = plan
  variables { kubernetes_version = "1.24" }
  expect_failures = [var.kubernetes_version]
}

run "rejects_bad_retention" {
  command = plan
  variables { log_retention_days = 31 }
  expect_failures = [var.log_retention_days]
}

run "rejects_single_subnet" {
  command = plan
  variables { private_subnet_ids = ["subnet-a"] }
  expect_failures = [var.private_subnet_ids]
}

run "custom_service_cidr" {
  command = plan
  variables { service_ipv4_cidr = "172.20.0.0/16" }

  # The file-wide override computes kubernetes_network_config; here the configuration sets it.
  override_resource {
    target          = aws_eks_cluster.this
    override_during = plan
    values = {
      arn                   = "arn:aws:eks:us-east-1:123456789012:cluster/acme-dev"
      endpoint              = "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com"
      identity              = [{ oidc = [{ issuer = "https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF" }] }]
      certificate_authority = [{ data = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t" }]
    }
  }

  assert {
    condition     = aws_eks_cluster.this.kubernetes_network_config[0].service_ipv4_cidr == "172.20.0.0/16"
    error_message = "A configured service CIDR reaches the cluster."
  }
}

run "rejects_bad_service_cidr" {
  command = plan
  variables { service_ipv4_cidr = "10.0.0.0/8" }
  expect_failures = [var.service_ipv4_cidr]
}

run "upgrade_policy_follows_support_type" {
  command = plan

  variables {
    support_type = "STANDARD"
  }

  assert {
    condition     = aws_eks_cluster.this.upgrade_policy[0].support_type == "STANDARD"
    error_message = "cluster.supportType sets the cluster's upgrade policy."
  }
}

run "upgrade_policy_defaults_to_extended" {
  command = plan

  assert {
    condition     = aws_eks_cluster.this.upgrade_policy[0].support_type == "EXTENDED"
    error_message = "Without a choice the policy is AWS's own default, EXTENDED, written down."
  }
}

run "upgrade_policy_left_out_on_the_sandbox" {
  command = plan

  variables {
    support_type = null
  }

  assert {
    condition     = length(aws_eks_cluster.this.upgrade_policy) == 0
    error_message = "null leaves the upgrade_policy block out."
  }
}

run "rejects_unknown_support_type" {
  command = plan

  variables {
    support_type = "FOREVER"
  }

  expect_failures = [var.support_type]
}

# cluster-autoscaler and Alertmanager IRSA roles (cluster-autoscaler.tf)
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

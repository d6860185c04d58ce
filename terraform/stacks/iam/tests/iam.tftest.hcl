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

run "roles_without_ci" {
  command = plan

  assert {
    condition     = aws_iam_role.cluster.name == "acme-dev-eks-cluster" && aws_iam_role.node.name == "acme-dev-eks-node"
    error_message = "Role names derive from prefix and environment."
  }
  assert {
    condition     = aws_iam_role_policy_attachment.node["AmazonEC2ContainerRegistryReadOnly"].policy_arn == "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
    error_message = "Nodes can pull from ECR."
  }
  assert {
    condition     = toset(keys(aws_iam_role_policy_attachment.node)) == toset(["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly", "AmazonEKS_CNI_Policy", "AmazonSSMManagedInstanceCore"])
    error_message = "The node role has exactly the worker, ECR read, CNI and SSM policies."
  }
  assert {
    condition     = length(aws_iam_role.github_actions) == 0 && length(aws_iam_openid_connect_provider.github) == 0
    error_message = "No CI role or OIDC provider without a repository."
  }
}

run "ci_role_pinned_to_branch" {
  command = plan

  variables {
    github_repository = "acme/models"
  }

  assert {
    condition     = aws_iam_role.github_actions[0].name == "acme-dev-github-actions-oidc-role"
    error_message = "The deploy role has the documented name."
  }
  assert {
    condition     = local.github_subject == "repo:acme/models:ref:refs/heads/main"
    error_message = "The trust is pinned to one repository and branch."
  }
  assert {
    condition = alltrue([
      for c in data.aws_iam_policy_document.github_trust[0].statement[0].condition :
      c.test == "StringEquals" && !anytrue([for v in c.values : strcontains(v, "*")])
    ])
    error_message = "Trust conditions are exact (StringEquals, no wildcard)."
  }
  assert {
    condition     = contains([for c in data.aws_iam_policy_document.github_trust[0].statement[0].condition : c.variable], "token.actions.githubusercontent.com:sub")
    error_message = "The sub claim is checked."
  }
  assert {
    condition     = data.aws_iam_policy_document.github_deploy[0].statement[1].resources == toset(["arn:aws:ecr:us-east-1:123456789012:repository/acme-dev-triton"])
    error_message = "Push is allowed on the project's repository only."
  }
  assert {
    condition     = data.aws_iam_policy_document.github_deploy[0].statement[2].resources == toset(["arn:aws:eks:us-east-1:123456789012:cluster/acme-dev"])
    error_message = "DescribeCluster is allowed on the project's cluster only."
  }
}

run "ci_role_pinned_to_environment" {
  command = plan

  variables {
    github_repository  = "acme/models"
    github_environment = "production"
  }

  assert {
    condition     = local.github_subject == "repo:acme/models:environment:production"
    error_message = "With an environment, the trust is pinned to it."
  }
}

run "rejects_wildcard_repository" {
  command = plan
  variables { github_repository = "acme/*" }
  expect_failures = [var.github_repository]
}

run "rejects_wildcard_branch" {
  command = plan
  variables { github_branch = "release-*" }
  expect_failures = [var.github_branch]
}

run "rejects_long_environment" {
  command = plan
  variables { environment = "production-eu" }
  expect_failures = [var.environment]
}

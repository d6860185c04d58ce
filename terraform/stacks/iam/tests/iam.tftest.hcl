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
      for c in data.aws_iam_policy_document.github_trust["deploy"].statement[0].condition :
      c.test == "StringEquals" && !anytrue([for v in c.values : strcontains(v, "*")])
    ])
    error_message = "Trust conditions are exact (StringEquals, no wildcard)."
  }
  assert {
    condition     = contains([for c in data.aws_iam_policy_document.github_trust["deploy"].statement[0].condition : c.variable], "token.actions.githubusercontent.com:sub")
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
  assert {
    condition     = data.aws_iam_policy_document.github_deploy[0].statement[5].resources == toset(["arn:aws:s3:::acme-dev-models-123456789012/*"])
    error_message = "models sync writes objects of the project's model bucket only."
  }
  assert {
    condition     = data.aws_iam_policy_document.github_deploy[0].statement[4].resources == toset(["arn:aws:s3:::acme-dev-models-123456789012"])
    error_message = "models sync lists the project's model bucket only."
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

run "ci_roles_trust_both_subject_forms" {
  command = plan

  variables {
    github_repository    = "acme/models"
    github_repository_id = "456"
    github_owner_id      = "123"
  }

  assert {
    condition     = local.github_subjects == ["repo:acme/models:ref:refs/heads/main", "repo:acme-123/models-456:ref:refs/heads/main"]
    error_message = "With both ids, the deploy role trusts the name form and the immutable form of one subject."
  }
  assert {
    condition     = local.plan_subjects == ["repo:acme/models:pull_request", "repo:acme-123/models-456:pull_request"]
    error_message = "The plan role trusts pull requests of the repository in both forms."
  }
}

run "plan_role_trusts_only_pull_requests_and_writes_only_the_lock" {
  command = plan

  variables {
    github_repository = "acme/models"
    state_bucket      = "acme-tf-state"
    state_key_prefix  = "triton-ops"
  }

  assert {
    condition     = aws_iam_role.github_plan[0].name == "acme-dev-github-plan-role"
    error_message = "The plan role has the documented name."
  }
  assert {
    condition = alltrue([
      for c in data.aws_iam_policy_document.github_trust["plan"].statement[0].condition :
      c.test == "StringEquals" && (c.variable != "token.actions.githubusercontent.com:sub" || alltrue([for v in c.values : endswith(v, ":pull_request")]))
    ])
    error_message = "The plan role trusts only exact pull_request subjects."
  }
  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.github_plan[0].statement : [
        for a in s.actions : can(regex("^(ec2|eks|ecr|iam|kms|logs):(Describe|Get|List)|^sts:GetCallerIdentity$|^s3:(ListBucket|GetObject)$", a)) || (contains(["s3:PutObject", "s3:DeleteObject"], a) && alltrue([for r in s.resources : endswith(r, ".tflock")]))
      ]
    ]))
    error_message = "The plan role may only read, and write nothing but the state's lock files."
  }
  assert {
    condition     = contains(flatten([for s in data.aws_iam_policy_document.github_plan[0].statement : s.resources]), "arn:aws:s3:::acme-tf-state/triton-ops/*.tflock")
    error_message = "The lock file under the state prefix may be written."
  }
}

run "deploy_role_allows_what_verify_reads" {
  command = plan

  variables {
    github_repository = "acme/models"
  }

  assert {
    condition     = contains(data.aws_iam_policy_document.github_deploy[0].statement[1].actions, "ecr:ListImages")
    error_message = "verify's ecr.images lists the repository's images."
  }
  assert {
    condition     = data.aws_iam_policy_document.github_deploy[0].statement[3].actions == toset(["ec2:DescribeVpcs"])
    error_message = "verify's vpc.no-orphans describes VPCs, and nothing more of EC2."
  }
}

run "rejects_non_numeric_repository_id" {
  command = plan
  variables { github_repository_id = "models" }
  expect_failures = [var.github_repository_id]
}

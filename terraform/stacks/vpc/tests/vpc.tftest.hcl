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
      names = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"]
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
  tags        = { Team = "ml" }
}

run "defaults" {
  command = plan

  assert {
    condition     = length(aws_subnet.public) == 3 && length(aws_subnet.private) == 3
    error_message = "One public and one private subnet per AZ, three AZs by default."
  }
  assert {
    condition     = length(aws_nat_gateway.this) == 1 && length(aws_eip.nat) == 1
    error_message = "A single NAT gateway by default."
  }
  assert {
    condition     = alltrue([for s in aws_subnet.public : s.tags["kubernetes.io/role/elb"] == "1" && s.tags["kubernetes.io/cluster/acme-dev"] == "shared"])
    error_message = "Public subnets are tagged for internet-facing load balancers and the cluster."
  }
  assert {
    condition     = alltrue([for s in aws_subnet.private : s.tags["kubernetes.io/role/internal-elb"] == "1" && s.tags["kubernetes.io/cluster/acme-dev"] == "shared"])
    error_message = "Private subnets are tagged for internal load balancers and the cluster."
  }
  assert {
    condition     = alltrue([for s in aws_subnet.public : s.map_public_ip_on_launch == false])
    error_message = "Nothing gets a public IP by launching into a public subnet."
  }
  assert {
    condition     = length(aws_default_security_group.this.ingress) == 0 && length(aws_default_security_group.this.egress) == 0
    error_message = "The default security group has no rules."
  }
  assert {
    condition     = toset([for s in aws_subnet.private : s.cidr_block]) == toset(["10.0.64.0/18", "10.0.128.0/18", "10.0.192.0/18"])
    error_message = "Private subnets take the large upper blocks (pod IPs come from them)."
  }
  assert {
    condition     = length(aws_flow_log.this) == 0
    error_message = "Flow logs are off by default."
  }
}

run "per_az_nat_and_flow_logs" {
  command = plan

  variables {
    az_count         = 2
    nat_gateway_mode = "per-az"
    enable_flow_logs = true
  }

  assert {
    condition     = length(aws_nat_gateway.this) == 2 && length(aws_route_table.private) == 2
    error_message = "One NAT gateway and private route table per AZ."
  }
  assert {
    condition     = length(aws_flow_log.this) == 1 && aws_cloudwatch_log_group.flow_logs[0].retention_in_days == 30
    error_message = "Flow logs go to a log group the stack owns, with retention."
  }
}

run "six_azs_without_overlap" {
  command = plan
  variables { az_count = 6 }

  assert {
    condition     = [for s in aws_subnet.public : s.cidr_block] == ["10.0.0.0/21", "10.0.8.0/21", "10.0.16.0/21", "10.0.24.0/21", "10.0.32.0/21", "10.0.40.0/21"]
    error_message = "From four AZs on, public subnets are /21s in the first quarter."
  }
  assert {
    condition     = [for s in aws_subnet.private : s.cidr_block] == ["10.0.64.0/19", "10.0.96.0/19", "10.0.128.0/19", "10.0.160.0/19", "10.0.192.0/19", "10.0.224.0/19"]
    error_message = "From four AZs on, private subnets are the /19s after the first quarter."
  }
}

run "rejects_vpc_too_small_for_its_azs" {
  command = plan
  variables {
    vpc_cidr = "10.0.0.0/24"
    az_count = 4
  }
  expect_failures = [aws_vpc.this]
}

run "rejects_bad_cidr" {
  command = plan
  variables { vpc_cidr = "10.0.0.1/16" }
  expect_failures = [var.vpc_cidr]
}

run "rejects_tiny_vpc" {
  command = plan
  variables { vpc_cidr = "10.0.0.0/26" }
  expect_failures = [var.vpc_cidr]
}

run "rejects_one_az" {
  command = plan
  variables { az_count = 1 }
  expect_failures = [var.az_count]
}

run "rejects_bad_name" {
  command = plan
  variables { name_prefix = "Acme_" }
  expect_failures = [var.name_prefix]
}

run "rejects_bad_nat_mode" {
  command = plan
  variables { nat_gateway_mode = "none" }
  expect_failures = [var.nat_gateway_mode]
}

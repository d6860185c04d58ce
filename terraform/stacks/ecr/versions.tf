terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, {
      Project     = var.name_prefix
      Environment = var.environment
      Stage       = "ecr"
      ManagedBy   = "triton-ops"
    })
  }
}

module "naming" {
  source = "../../modules/naming"

  name_prefix = var.name_prefix
  environment = var.environment
  account_id  = data.aws_caller_identity.current.account_id
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

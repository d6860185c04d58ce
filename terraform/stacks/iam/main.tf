locals {
  names     = module.naming.names
  partition = data.aws_partition.current.partition
  account   = data.aws_caller_identity.current.account_id
  policy    = "arn:${local.partition}:iam::aws:policy"
}

# --- EKS control plane -------------------------------------------------------------------------

data "aws_iam_policy_document" "cluster_trust" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = local.names.cluster_role
  description        = "EKS control plane of ${local.names.cluster}"
  assume_role_policy = data.aws_iam_policy_document.cluster_trust.json
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "${local.policy}/AmazonEKSClusterPolicy"
}

# --- Nodes -------------------------------------------------------------------------------------

data "aws_iam_policy_document" "node_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = local.names.node_role
  description        = "Worker nodes of ${local.names.cluster}"
  assume_role_policy = data.aws_iam_policy_document.node_trust.json
}

# AmazonEC2ContainerRegistryReadOnly is what lets nodes pull the Triton image from ECR;
# SSM replaces SSH for getting onto a node (kubelet logs, nvidia-smi).
resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEKS_CNI_Policy",
    "AmazonSSMManagedInstanceCore",
  ])

  role       = aws_iam_role.node.name
  policy_arn = "${local.policy}/${each.value}"
}

# Who may use the Kubernetes API: admins get cluster-admin; the CI role administers the namespaces it
# deploys to and reads the rest (verify lists nodes). Behind enable_access_entries (the emulator lacks the API).

locals {
  admin_entries = var.enable_access_entries ? toset(var.admin_principal_arns) : toset([])
  ci_entry      = var.enable_access_entries && var.ci_role_arn != "" ? 1 : 0
  access_policy = "arn:${local.partition}:eks::aws:cluster-access-policy"
}

resource "aws_eks_access_entry" "admin" {
  for_each = local.admin_entries

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = local.admin_entries

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  policy_arn    = "${local.access_policy}/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }

  depends_on = [aws_eks_access_entry.admin]
}

resource "aws_eks_access_entry" "ci" {
  count = local.ci_entry

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = var.ci_role_arn
}

resource "aws_eks_access_policy_association" "ci" {
  count = local.ci_entry

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = var.ci_role_arn
  policy_arn    = "${local.access_policy}/AmazonEKSAdminPolicy"

  access_scope {
    type       = "namespace"
    namespaces = [var.triton_namespace, "monitoring"]
  }

  depends_on = [aws_eks_access_entry.ci]
}

# The deploy workflow's verify lists nodes, which are cluster-scoped: a namespace-scoped policy cannot
# grant that. AmazonEKSViewPolicy at cluster scope reads (never writes) workloads and nodes, and not
# Secrets.
resource "aws_eks_access_policy_association" "ci_view" {
  count = local.ci_entry

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = var.ci_role_arn
  policy_arn    = "${local.access_policy}/AmazonEKSViewPolicy"

  access_scope {
    type = "cluster"
  }

  depends_on = [aws_eks_access_entry.ci]
}

# Networking add-ons come with the cluster so nodes become Ready as soon as they join. CoreDNS is
# created by the gpu-nodes stack instead: it needs nodes to run on, and its add-on waits for ACTIVE.
resource "aws_eks_addon" "this" {
  for_each = var.enable_addons ? toset(["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) : toset([])

  cluster_name                = aws_eks_cluster.this.name
  addon_name                  = each.value
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "PRESERVE"
}

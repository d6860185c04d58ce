output "base" {
  description = "<name_prefix>-<environment>: the stem of every name."
  value       = local.base
}

output "names" {
  description = "Map of every derived resource name (cluster, ecr_repository, roles, log groups, KMS alias, model bucket, node groups)."
  value       = local.names
}

output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Public subnet IDs, one per AZ (internet-facing load balancers)."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Private subnet IDs, one per AZ (nodes and pods)."
  value       = aws_subnet.private[*].id
}

output "availability_zones" {
  description = "AZs the subnets are in."
  value       = local.azs
}

output "nat_gateway_ids" {
  description = "NAT gateway IDs."
  value       = aws_nat_gateway.this[*].id
}

output "nat_public_ips" {
  description = "Public IPs of the NAT gateways (egress addresses of the nodes)."
  value       = aws_eip.nat[*].public_ip
}

output "cluster_name" {
  description = "Cluster name the subnets are tagged for."
  value       = local.cluster_name
}

data "aws_availability_zones" "available" {
  state = "available"
}

locals {
  cluster_name = module.naming.names.cluster
  azs          = slice(data.aws_availability_zones.available.names, 0, var.az_count)
  nat_count    = var.nat_gateway_mode == "per-az" ? var.az_count : 1

  # Private subnets get most of the space: pods take their IPs from them (AWS VPC CNI). Public subnets
  # share the first quarter. Up to 3 AZs, a /16 gives public /20s and private /18s (quarters 2-4); from
  # 4 to 6 AZs, public /21s and private /19s (eighths 3-8), so no two subnets overlap.
  # src/net/cidr.ts (subnetLayout) holds the same layout for config validation.
  wide_layout   = var.az_count > 3
  public_bits   = local.wide_layout ? 5 : 4
  private_bits  = local.wide_layout ? 3 : 2
  private_first = local.wide_layout ? 2 : 1
  public_cidrs  = [for i in range(var.az_count) : cidrsubnet(var.vpc_cidr, local.public_bits, i)]
  private_cidrs = [for i in range(var.az_count) : cidrsubnet(var.vpc_cidr, local.private_bits, i + local.private_first)]
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = module.naming.base }

  lifecycle {
    precondition {
      condition     = length(data.aws_availability_zones.available.names) >= var.az_count
      error_message = "The region has fewer available AZs than az_count."
    }
    precondition {
      condition     = tonumber(split("/", var.vpc_cidr)[1]) + local.public_bits <= 28
      error_message = "vpc_cidr is too small for az_count: public subnets would be smaller than /28, the smallest AWS allows."
    }
  }
}

# No rules: nothing may use the default security group by accident.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  # Explicitly empty (attributes-as-blocks syntax): the provider removes any rule found there.
  ingress = []
  egress  = []

  tags = { Name = "${module.naming.base}-default-locked" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = module.naming.base }
}

resource "aws_subnet" "public" {
  count = var.az_count

  vpc_id                  = aws_vpc.this.id
  cidr_block              = local.public_cidrs[count.index]
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false

  tags = {
    Name                                          = "${module.naming.base}-public-${local.azs[count.index]}"
    "kubernetes.io/role/elb"                      = "1"
    "kubernetes.io/cluster/${local.cluster_name}" = "shared"
  }
}

resource "aws_subnet" "private" {
  count = var.az_count

  vpc_id            = aws_vpc.this.id
  cidr_block        = local.private_cidrs[count.index]
  availability_zone = local.azs[count.index]

  tags = {
    Name                                          = "${module.naming.base}-private-${local.azs[count.index]}"
    "kubernetes.io/role/internal-elb"             = "1"
    "kubernetes.io/cluster/${local.cluster_name}" = "shared"
  }
}

resource "aws_eip" "nat" {
  count = local.nat_count

  domain = "vpc"

  tags = { Name = "${module.naming.base}-nat-${local.azs[count.index]}" }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = { Name = "${module.naming.base}-${local.azs[count.index]}" }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${module.naming.base}-public" }
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = var.az_count

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  count = local.nat_count

  vpc_id = aws_vpc.this.id

  tags = { Name = "${module.naming.base}-private-${local.azs[count.index]}" }
}

resource "aws_route" "private_nat" {
  count = local.nat_count

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[count.index].id
}

resource "aws_route_table_association" "private" {
  count = var.az_count

  subnet_id = aws_subnet.private[count.index].id
  # With a single NAT gateway every private subnet shares its route table.
  route_table_id = aws_route_table.private[var.nat_gateway_mode == "per-az" ? count.index : 0].id
}

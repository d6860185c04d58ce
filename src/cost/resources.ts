import {
  eksControlPlane,
  instances,
  kmsKey,
  loadBalancer,
  logGroup,
  type ModelContext,
  natGateway,
  type PricedItem,
  publicIpv4,
  storage,
  volumes,
} from "./model.js";

/** A resource as Terraform describes it: the same shape in a plan's before/after and in state. */
export interface TerraformResource {
  address: string;
  type: string;
  values: Record<string, unknown>;
}

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const first = (v: unknown): Record<string, unknown> | undefined =>
  Array.isArray(v) && v[0] && typeof v[0] === "object" ? (v[0] as Record<string, unknown>) : undefined;

/** The index key of an address: `aws_launch_template.this["gpu"]` -> "gpu". */
function indexKey(address: string): string | undefined {
  return /\["([^"]+)"\]$/.exec(address)?.[1];
}

/** The launch template a node group uses: by id or name, else the one keyed like the node group. */
function launchTemplateOf(nodeGroup: TerraformResource, all: readonly TerraformResource[]) {
  const lt = first(nodeGroup.values.launch_template);
  const templates = all.filter((r) => r.type === "aws_launch_template");
  const byRef = templates.find(
    (t) =>
      (str(lt?.id) !== undefined && t.values.id === lt?.id) ||
      (str(lt?.name) !== undefined && t.values.name === lt?.name),
  );
  if (byRef || !lt) return byRef;
  const name = nodeGroup.address.split(".").at(-1)?.replace(/\[.*$/, "");
  return (
    templates.find((t) => indexKey(t.address) === name) ?? (templates.length === 1 ? templates[0] : undefined)
  );
}

/**
 * Pure: what one Terraform resource costs a month, or undefined for what AWS does not bill by itself
 * (IAM, security groups, route tables, subnets, launch templates: their volumes are priced with the nodes).
 */
export function priceTerraformResource(
  ctx: ModelContext,
  r: TerraformResource,
  all: readonly TerraformResource[],
): PricedItem[] {
  const v = r.values;
  switch (r.type) {
    case "aws_nat_gateway":
      return [natGateway(ctx, r.address)];
    case "aws_eip":
      return [publicIpv4(ctx, r.address)];
    case "aws_eks_cluster":
      return [eksControlPlane(ctx, r.address, str(v.version))];
    case "aws_eks_node_group": {
      const scaling = first(v.scaling_config) ?? {};
      const counts = {
        min: num(scaling.min_size) ?? 0,
        desired: num(scaling.desired_size) ?? num(scaling.min_size) ?? 0,
        max: num(scaling.max_size) ?? 0,
      };
      const types = Array.isArray(v.instance_types)
        ? v.instance_types.filter((t) => typeof t === "string")
        : [];
      const type = types[0] ?? "t3.medium";
      const capacity = v.capacity_type === "SPOT" ? "SPOT" : "ON_DEMAND";
      const items = [instances(ctx, r.address, type, capacity, counts)];
      const template = launchTemplateOf(r, all);
      const ebs = first(first(template?.values.block_device_mappings)?.ebs);
      if (ebs) {
        items.push(
          volumes(
            ctx,
            `${r.address} root volumes`,
            {
              volumeType: str(ebs.volume_type) ?? "gp3",
              sizeGb: num(ebs.volume_size) ?? 20,
              ...(num(ebs.iops) !== undefined ? { iops: num(ebs.iops) } : {}),
              ...(num(ebs.throughput) !== undefined ? { throughput: num(ebs.throughput) } : {}),
            },
            counts,
          ),
        );
      } else {
        items.push(
          volumes(
            ctx,
            `${r.address} root volumes`,
            { volumeType: "gp2", sizeGb: num(v.disk_size) ?? 20 },
            counts,
          ),
        );
      }
      return items;
    }
    case "aws_lb":
      return [loadBalancer(ctx, r.address, str(v.load_balancer_type) ?? "application")];
    case "aws_kms_key":
      return [kmsKey(ctx, r.address)];
    case "aws_cloudwatch_log_group":
      return [logGroup(ctx, r.address, num(v.retention_in_days))];
    case "aws_s3_bucket":
      return [storage(ctx, r.address, "s3")];
    case "aws_ecr_repository":
      return [storage(ctx, r.address, "ecr")];
    default:
      return [];
  }
}

export function priceTerraformResources(
  ctx: ModelContext,
  resources: readonly TerraformResource[],
): PricedItem[] {
  return resources.flatMap((r) => priceTerraformResource(ctx, r, resources));
}

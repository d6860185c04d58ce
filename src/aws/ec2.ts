import { type AwsContext, awsClientConfig, isNotFound, using } from "./clients.js";
import { sdk } from "./sdk.js";

// EC2 reads outside orphan-scan's listings (inventory.ts), one function per call. Ids that do not exist
// give an empty answer; any other failure is the SDK's error.

const ec2Client = (aws: AwsContext) => new (sdk.ec2().EC2Client)(awsClientConfig(aws, "EC2"));

export interface Vpc {
  id: string;
  name: string | undefined;
}

/** ec2:DescribeVpcs, every page: the given ids, or those matching the tags, or all. */
export async function describeVpcs(
  aws: AwsContext,
  which: { ids?: string[]; tags?: Record<string, string> } = {},
): Promise<Vpc[]> {
  const { paginateDescribeVpcs } = sdk.ec2();
  return using(ec2Client(aws), async (client) => {
    const out: Vpc[] = [];
    const pages = paginateDescribeVpcs(
      { client },
      {
        ...(which.ids ? { VpcIds: which.ids } : {}),
        ...(which.tags
          ? { Filters: Object.entries(which.tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] })) }
          : {}),
      },
    );
    try {
      for await (const page of pages)
        for (const vpc of page.Vpcs ?? [])
          out.push({ id: vpc.VpcId ?? "?", name: vpc.Tags?.find((t) => t.Key === "Name")?.Value });
    } catch (error) {
      // An id that does not exist (InvalidVpcID.NotFound): none of them is there.
      if (isNotFound(error)) return [];
      throw error;
    }
    return out;
  });
}

export interface Subnet {
  id: string;
  availabilityZone: string;
  cidr: string;
  availableIps: number;
}

/** ec2:DescribeSubnets for the given ids. */
export async function describeSubnets(aws: AwsContext, ids: string[]): Promise<Subnet[]> {
  const { DescribeSubnetsCommand } = sdk.ec2();
  return using(ec2Client(aws), async (ec2) => {
    const out = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: ids }));
    return (out.Subnets ?? []).map((s) => ({
      id: s.SubnetId ?? "?",
      availabilityZone: s.AvailabilityZone ?? "?",
      cidr: s.CidrBlock ?? "?",
      availableIps: s.AvailableIpAddressCount ?? 0,
    }));
  });
}

export interface Instance {
  id: string;
  state: string;
  privateDnsName?: string;
  launchTime?: string;
}

/** ec2:DescribeInstances for the given ids, by id. */
export async function describeInstances(aws: AwsContext, ids: string[]): Promise<Map<string, Instance>> {
  const { DescribeInstancesCommand } = sdk.ec2();
  const found = new Map<string, Instance>();
  if (ids.length === 0) return found;
  return using(ec2Client(aws), async (ec2) => {
    const res = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    for (const r of res.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        const id = i.InstanceId ?? "";
        found.set(id, {
          id,
          state: i.State?.Name ?? "unknown",
          ...(i.PrivateDnsName ? { privateDnsName: i.PrivateDnsName } : {}),
          ...(i.LaunchTime ? { launchTime: new Date(i.LaunchTime).toISOString() } : {}),
        });
      }
    }
    return found;
  });
}

/**
 * ec2:DescribeInstanceTypes: the GPUs each of the given instance types carries (0 for one without), by
 * type. A type EC2 does not know is missing from the map; any other failure is a reason, never a throw, so
 * the caller falls back to its bundled table.
 */
export async function describeGpuCounts(
  aws: AwsContext,
  instanceTypes: readonly string[],
): Promise<{ ok: true; counts: Map<string, number> } | { ok: false; reason: string }> {
  const { DescribeInstanceTypesCommand } = sdk.ec2();
  try {
    return await using(ec2Client(aws), async (ec2) => {
      const counts = new Map<string, number>();
      // Asked one by one: a single unknown type makes EC2 refuse the whole list (InvalidInstanceType).
      await Promise.all(
        [...new Set(instanceTypes)].map(async (type) => {
          try {
            const res = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [type as never] }));
            const info = res.InstanceTypes?.[0];
            if (info)
              counts.set(
                type,
                (info.GpuInfo?.Gpus ?? []).reduce((n, g) => n + (g.Count ?? 0), 0),
              );
          } catch (error) {
            if ((error as { name?: string }).name !== "InvalidInstanceType") throw error;
          }
        }),
      );
      return { ok: true as const, counts };
    });
  } catch (error) {
    return { ok: false, reason: `EC2 DescribeInstanceTypes failed: ${(error as Error).name ?? "error"}` };
  }
}

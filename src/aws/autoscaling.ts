import { type AwsContext, awsClientConfig, using } from "./clients.js";
import { sdk } from "./sdk.js";

interface GroupFacts {
  instances: string[];
  tags: Record<string, string>;
}

/** autoscaling:DescribeAutoScalingGroups, every page: each named group's instances and tags. */
async function describeGroups(aws: AwsContext, groups: string[]): Promise<Map<string, GroupFacts>> {
  const byGroup = new Map<string, GroupFacts>();
  if (groups.length === 0) return byGroup;
  const { AutoScalingClient, paginateDescribeAutoScalingGroups } = sdk.autoScaling();
  return using(new AutoScalingClient(awsClientConfig(aws, "AUTO_SCALING")), async (client) => {
    for await (const page of paginateDescribeAutoScalingGroups({ client }, { AutoScalingGroupNames: groups }))
      for (const g of page.AutoScalingGroups ?? [])
        byGroup.set(g.AutoScalingGroupName ?? "", {
          instances: (g.Instances ?? []).map((i) => i.InstanceId ?? "").filter(Boolean),
          tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
        });
    return byGroup;
  });
}

/** Group name -> its instance ids. */
export async function autoScalingGroupInstances(
  aws: AwsContext,
  groups: string[],
): Promise<Map<string, string[]>> {
  const facts = await describeGroups(aws, groups);
  return new Map([...facts].map(([name, f]) => [name, f.instances]));
}

/** Group name -> its tags (key -> value); groups that do not exist are left out. */
export async function autoScalingGroupTags(
  aws: AwsContext,
  groups: string[],
): Promise<Map<string, Record<string, string>>> {
  const facts = await describeGroups(aws, groups);
  return new Map([...facts].map(([name, f]) => [name, f.tags]));
}

import { type AwsContext, awsClientConfig, using } from "./clients.js";
import { sdk } from "./sdk.js";

/** autoscaling:DescribeAutoScalingGroups, every page: group name -> its instance ids. */
export async function autoScalingGroupInstances(
  aws: AwsContext,
  groups: string[],
): Promise<Map<string, string[]>> {
  const byGroup = new Map<string, string[]>();
  if (groups.length === 0) return byGroup;
  const { AutoScalingClient, paginateDescribeAutoScalingGroups } = sdk.autoScaling();
  return using(new AutoScalingClient(awsClientConfig(aws, "AUTO_SCALING")), async (client) => {
    for await (const page of paginateDescribeAutoScalingGroups({ client }, { AutoScalingGroupNames: groups }))
      for (const g of page.AutoScalingGroups ?? [])
        byGroup.set(
          g.AutoScalingGroupName ?? "",
          (g.Instances ?? []).map((i) => i.InstanceId ?? "").filter(Boolean),
        );
    return byGroup;
  });
}

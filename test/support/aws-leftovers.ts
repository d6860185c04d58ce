import { DescribeNatGatewaysCommand, EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { DescribeKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { awsClientConfig } from "../../src/aws/clients.js";

/**
 * Everything still tagged ManagedBy=triton-ops, plus IAM roles with the prefix (the tagging API does
 * not cover IAM on AWS). A NAT gateway in state `deleted` and a KMS key pending deletion count as gone:
 * AWS keeps listing both for a while (an hour; the 7-30 day key window) and bills neither.
 */
export async function taggedLeftovers(
  env: NodeJS.ProcessEnv,
  region: string,
  rolePrefix: string,
): Promise<string[]> {
  const aws = { region, env, sandbox: true };
  const tagging = new ResourceGroupsTaggingAPIClient(awsClientConfig(aws, "RESOURCE_GROUPS_TAGGING_API"));
  const iam = new IAMClient(awsClientConfig(aws, "IAM"));
  const ec2 = new EC2Client(awsClientConfig(aws, "EC2"));
  const kms = new KMSClient(awsClientConfig(aws, "KMS"));
  try {
    const arns: string[] = [];
    let token: string | undefined;
    do {
      const page = await tagging.send(
        new GetResourcesCommand({
          TagFilters: [{ Key: "ManagedBy", Values: ["triton-ops"] }],
          PaginationToken: token,
        }),
      );
      for (const r of page.ResourceTagMappingList ?? []) if (r.ResourceARN) arns.push(r.ResourceARN);
      token = page.PaginationToken || undefined;
    } while (token);
    const live: string[] = [];
    for (const arn of arns) {
      const nat = /:natgateway\/(nat-[0-9a-f]+)$/.exec(arn)?.[1];
      if (nat) {
        const out = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat] }));
        if (out.NatGateways?.every((g) => g.State === "deleted" || g.State === "deleting")) continue;
      }
      const key = /:key\/([0-9a-f-]+)$/.exec(arn)?.[1];
      if (key) {
        const out = await kms.send(new DescribeKeyCommand({ KeyId: key }));
        if (out.KeyMetadata?.KeyState === "PendingDeletion") continue;
      }
      live.push(arn);
    }
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListRolesCommand({ Marker: marker }));
      for (const role of page.Roles ?? [])
        if (role.RoleName?.startsWith(rolePrefix)) live.push(role.Arn ?? role.RoleName);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return live;
  } finally {
    for (const client of [tagging, iam, ec2, kms]) client.destroy();
  }
}

import { IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { awsClientConfig } from "../../src/aws/clients.js";

/** Everything still tagged ManagedBy=triton-ops, plus IAM roles (the tagging API does not cover IAM on AWS). */
export async function taggedLeftovers(
  env: NodeJS.ProcessEnv,
  region: string,
  rolePrefix: string,
): Promise<string[]> {
  const aws = { region, env, sandbox: true };
  const tagging = new ResourceGroupsTaggingAPIClient(awsClientConfig(aws, "RESOURCE_GROUPS_TAGGING_API"));
  const iam = new IAMClient(awsClientConfig(aws, "IAM"));
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
    let marker: string | undefined;
    do {
      const page = await iam.send(new ListRolesCommand({ Marker: marker }));
      for (const role of page.Roles ?? [])
        if (role.RoleName?.startsWith(rolePrefix)) arns.push(role.Arn ?? role.RoleName);
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return arns;
  } finally {
    tagging.destroy();
    iam.destroy();
  }
}

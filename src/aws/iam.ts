import {
  type AwsContext,
  awsClientConfig,
  isApiUnavailable,
  tagRecord,
  unlessNotFound,
  using,
} from "./clients.js";
import { sdk } from "./sdk.js";

// The IAM lookups the product makes, one function each: not there is undefined, any other failure the
// SDK's error. Listings for orphan-scan live in inventory.ts, deletes in teardown.ts.

const iamClient = (aws: AwsContext) => new (sdk.iam().IAMClient)(awsClientConfig(aws, "IAM"));

export interface IamRole {
  name: string;
  arn: string;
  /** The trust policy as IAM returns it (URL-encoded JSON). */
  trustPolicy: string;
  /** GetRole returns the role's tags with it. */
  tags: Record<string, string>;
}

/** iam:GetRole. */
export async function getRole(aws: AwsContext, roleName: string): Promise<IamRole | undefined> {
  const { GetRoleCommand } = sdk.iam();
  const out = await using(iamClient(aws), (iam) =>
    unlessNotFound(iam.send(new GetRoleCommand({ RoleName: roleName }))),
  );
  if (!out) return undefined;
  return {
    name: out.Role?.RoleName ?? roleName,
    arn: out.Role?.Arn ?? "",
    trustPolicy: out.Role?.AssumeRolePolicyDocument ?? "",
    tags: tagRecord(out.Role?.Tags),
  };
}

/** iam:GetInstanceProfile, with the names of the roles in it. */
export async function getInstanceProfile(
  aws: AwsContext,
  name: string,
): Promise<{ name: string; arn: string; roles: string[]; tags: Record<string, string> } | undefined> {
  const { GetInstanceProfileCommand } = sdk.iam();
  const out = await using(iamClient(aws), (iam) =>
    unlessNotFound(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }))),
  );
  if (!out) return undefined;
  return {
    name,
    arn: out.InstanceProfile?.Arn ?? "",
    roles: (out.InstanceProfile?.Roles ?? []).map((r) => r.RoleName ?? "").filter(Boolean),
    tags: tagRecord(out.InstanceProfile?.Tags),
  };
}

export interface OidcProvider {
  url: string;
  clientIds: string[];
  tags: Record<string, string>;
  createdAt: Date | undefined;
}

/** iam:GetOpenIDConnectProvider. */
export async function getOidcProvider(aws: AwsContext, arn: string): Promise<OidcProvider | undefined> {
  const { GetOpenIDConnectProviderCommand } = sdk.iam();
  const out = await using(iamClient(aws), (iam) =>
    unlessNotFound(iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))),
  );
  if (!out) return undefined;
  return {
    url: out.Url ?? "",
    clientIds: out.ClientIDList ?? [],
    tags: tagRecord(out.Tags),
    createdAt: out.CreateDate,
  };
}

/** iam:ListAttachedRolePolicies, every page. */
export async function listAttachedRolePolicies(
  aws: AwsContext,
  roleName: string,
): Promise<Array<{ name: string; arn: string }>> {
  const { paginateListAttachedRolePolicies } = sdk.iam();
  return using(iamClient(aws), async (client) => {
    const out: Array<{ name: string; arn: string }> = [];
    for await (const page of paginateListAttachedRolePolicies({ client }, { RoleName: roleName }))
      for (const p of page.AttachedPolicies ?? [])
        out.push({ name: p.PolicyName ?? "", arn: p.PolicyArn ?? "" });
    return out;
  });
}

/** iam:ListAccountAliases; none where the API is absent (the emulator). */
export async function listAccountAliases(aws: AwsContext): Promise<string[]> {
  const { ListAccountAliasesCommand } = sdk.iam();
  return using(iamClient(aws), async (iam) => {
    try {
      return (await iam.send(new ListAccountAliasesCommand({}))).AccountAliases ?? [];
    } catch (error) {
      if (isApiUnavailable(error)) return [];
      throw error;
    }
  });
}

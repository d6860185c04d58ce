import { UserError } from "../errors.js";
import { type AwsContext, awsClientConfig, toAwsError, using } from "./clients.js";
import { sdk } from "./sdk.js";

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** sts:GetCallerIdentity. */
export async function getCallerIdentity(aws: AwsContext): Promise<CallerIdentity> {
  const { STSClient, GetCallerIdentityCommand } = sdk.sts();
  const sts = new STSClient(awsClientConfig(aws, "STS"));
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    return { account: out.Account ?? "", arn: out.Arn ?? "", userId: out.UserId ?? "" };
  } catch (error) {
    throw toAwsError(error, "identify the caller (sts:GetCallerIdentity)");
  } finally {
    sts.destroy();
  }
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Credentials from the SDK's default chain (env, profile, SSO, IMDS), as every other AWS call gets them. */
export async function resolveCredentials(aws: AwsContext, action: string): Promise<AwsCredentials> {
  const { STSClient } = sdk.sts();
  return using(new STSClient(awsClientConfig(aws, "STS")), async (sts) => {
    try {
      const c = await sts.config.credentials();
      return {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
      };
    } catch (error) {
      throw toAwsError(error, action);
    }
  });
}

/** Pure: is this account allowed by the config's allowedAccountIds (empty allows any)? */
export function accountAllowed(account: string, allowed: readonly string[]): boolean {
  return allowed.length === 0 || allowed.includes(account);
}

/** Refuses to go on in an account the project does not allow. */
export async function assertAllowedAccount(
  aws: AwsContext,
  allowed: readonly string[],
): Promise<CallerIdentity> {
  const identity = await getCallerIdentity(aws);
  if (!accountAllowed(identity.account, allowed)) {
    throw new UserError(
      `Account ${identity.account} is not in allowedAccountIds (${allowed.join(", ")}); refusing to touch it.`,
      {
        code: "aws.account-not-allowed",
        suggestion: "Switch AWS_PROFILE to the project's account, or add the account to allowedAccountIds.",
      },
    );
  }
  return identity;
}

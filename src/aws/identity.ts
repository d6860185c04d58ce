import { UserError } from "../errors.js";
import { type AwsContext, awsClientConfig, toAwsError } from "./clients.js";

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

export async function getCallerIdentity(aws: AwsContext): Promise<CallerIdentity> {
  const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
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

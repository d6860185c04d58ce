import { awsErrorName, ExternalError, messageOf, UserError } from "../errors.js";

/** Where and as whom AWS calls go; built once per command from config and environment. */
export interface AwsContext {
  region: string;
  /** The environment AWS settings are read from (the process's, or the sandbox's overlay). */
  env: NodeJS.ProcessEnv;
  sandbox: boolean;
}

/** Service ids as used by the standard AWS_ENDPOINT_URL_<SERVICE> variables. */
export type AwsService =
  | "EC2"
  | "EKS"
  | "IAM"
  | "ECR"
  | "STS"
  | "S3"
  | "ELASTIC_LOAD_BALANCING"
  | "ELASTIC_LOAD_BALANCING_V2"
  | "CLOUDWATCH_LOGS"
  | "KMS"
  | "SERVICE_QUOTAS"
  | "AUTO_SCALING"
  | "PRICING"
  | "RESOURCE_GROUPS_TAGGING_API";

export interface AwsClientConfig {
  region: string;
  maxAttempts: number;
  retryMode: "adaptive";
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  profile?: string;
  forcePathStyle?: boolean;
}

/**
 * The one client factory's settings: region, credentials, endpoint and retry for every SDK client.
 * Endpoints come only from the standard variables, read from the context's environment so an
 * in-process run never leaks into the real process environment.
 */
export function awsClientConfig(aws: AwsContext, service: AwsService): AwsClientConfig {
  const endpoint = aws.env[`AWS_ENDPOINT_URL_${service}`] ?? aws.env.AWS_ENDPOINT_URL;
  const config: AwsClientConfig = { region: aws.region, maxAttempts: 6, retryMode: "adaptive" };
  if (endpoint) config.endpoint = endpoint;
  if (aws.env.AWS_ACCESS_KEY_ID && aws.env.AWS_SECRET_ACCESS_KEY) {
    config.credentials = {
      accessKeyId: aws.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: aws.env.AWS_SECRET_ACCESS_KEY,
      ...(aws.env.AWS_SESSION_TOKEN ? { sessionToken: aws.env.AWS_SESSION_TOKEN } : {}),
    };
  } else if (aws.env.AWS_PROFILE) {
    config.profile = aws.env.AWS_PROFILE;
  }
  if (service === "S3" && endpoint) config.forcePathStyle = true;
  return config;
}

const CREDENTIAL_ERRORS = new Set(["CredentialsProviderError", "ProviderError"]);
const EXPIRED_ERRORS = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired"]);
const DENIED_ERRORS = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
]);

/** Turns an SDK failure into one line the user can act on. */
export function toAwsError(error: unknown, action: string): Error {
  const name = awsErrorName(error);
  if (name && CREDENTIAL_ERRORS.has(name)) {
    return new UserError(`No AWS credentials found while trying to ${action}.`, {
      code: "aws.no-credentials",
      suggestion:
        "Set AWS_PROFILE (then `aws sso login` if it uses SSO) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; or use --sandbox.",
      cause: error,
    });
  }
  if (name && EXPIRED_ERRORS.has(name)) {
    return new UserError(`AWS credentials have expired (${name}) while trying to ${action}.`, {
      code: "aws.expired-credentials",
      suggestion: "Refresh them (`aws sso login`, or new session credentials) and run again.",
      cause: error,
    });
  }
  if (name && DENIED_ERRORS.has(name)) {
    return new ExternalError(`AWS refused to ${action}: ${name}: ${firstLine(messageOf(error))}`, {
      code: "aws.denied",
      suggestion:
        "Check that the credentials belong to the intended account and carry the needed permissions.",
      cause: error,
    });
  }
  const network = (error as NodeJS.ErrnoException | undefined)?.code;
  if (
    network === "ECONNREFUSED" ||
    network === "ENOTFOUND" ||
    network === "ETIMEDOUT" ||
    name === "TimeoutError"
  ) {
    return new ExternalError(`Cannot reach AWS to ${action}: ${firstLine(messageOf(error))}`, {
      code: "aws.unreachable",
      suggestion:
        "Check the network, AWS_ENDPOINT_URL, or start the sandbox with `triton-ops sandbox start`.",
      cause: error,
    });
  }
  return new ExternalError(
    `AWS call failed while trying to ${action}: ${name ?? "Error"}: ${firstLine(messageOf(error))}`,
    {
      code: "aws.error",
      cause: error,
    },
  );
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

/**
 * The one list of "no such resource" answers, across the services the product calls: a lookup answers
 * "absent", a delete counts as done (idempotent teardown), a wait for deletion ends.
 */
const NOT_FOUND = new Set([
  "NotFound",
  "NoSuchEntity",
  "NoSuchEntityException",
  "NotFoundException",
  "ResourceNotFoundException",
  "RepositoryNotFoundException",
  "ImageNotFoundException",
  "LoadBalancerNotFound",
  "LoadBalancerNotFoundException",
  "AccessPointNotFound",
  "AccessPointNotFoundException",
  "NoSuchBucket",
  "InvalidVpcID.NotFound",
  "InvalidSubnetID.NotFound",
  "InvalidInternetGatewayID.NotFound",
  "InvalidNatGatewayID.NotFound",
  "NatGatewayNotFound",
  "InvalidAllocationID.NotFound",
  "InvalidAddress.NotFound",
  "InvalidNetworkInterfaceID.NotFound",
  "InvalidGroup.NotFound",
  "InvalidRouteTableID.NotFound",
  "InvalidVolume.NotFound",
  // Detaching an internet gateway that is no longer attached: what the detach wanted is already true.
  "Gateway.NotAttached",
]);

/** The resource is not there (or already gone). */
export function isNotFound(error: unknown): boolean {
  const name = awsErrorName(error);
  return (name !== undefined && NOT_FOUND.has(name)) || (error as { Code?: string })?.Code === "NoSuchBucket";
}

/** undefined when the resource is not there; any other failure is thrown unchanged. */
export async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Runs `fn` with a client and always releases its sockets afterwards. */
export async function using<C extends { destroy(): void }, T>(
  client: C,
  fn: (client: C) => Promise<T>,
): Promise<T> {
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

/** The call's answer; a failure becomes one line naming `action` (toAwsError), the SDK error as its cause. */
export async function orAwsError<T>(action: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw toAwsError(error, action);
  }
}

/** An API the account or the emulator lacks: its answer is "unknown", never a failure. */
export function isApiUnavailable(error: unknown): boolean {
  const name = awsErrorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  return (
    name === "NoSuchResource" ||
    name === "UnknownOperationException" ||
    name === "NotImplemented" ||
    name === "InvalidAction" ||
    status === 404 ||
    status === 501
  );
}

/** AWS's `[{Key, Value}]` tag lists (EC2, IAM, S3, ECR) as a record; entries without a key are skipped. */
export function tagRecord(
  list: ReadonlyArray<{ Key?: string | undefined; Value?: string | undefined }> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? "";
  return out;
}

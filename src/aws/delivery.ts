import { type AwsContext, awsClientConfig, orAwsError, toAwsError } from "./clients.js";
import { describeRepository as describeEcrRepository, describeImage } from "./ecr.js";
import { describeCluster as describeEksCluster, listAccessPolicies as listEksAccessPolicies } from "./eks.js";
import { getOidcProvider as getIamOidcProvider, getRole } from "./iam.js";
import { sdk } from "./sdk.js";

/**
 * The AWS facts the delivery pipeline needs: the deploy role's trust, the OIDC provider, ECR login and
 * repository, the cluster. Not-found answers come back as undefined; anything else is thrown as a
 * one-line error from toAwsError.
 */

export interface RoleTrust {
  arn: string;
  /** The trust policy as IAM returns it (URL-encoded JSON). */
  document: string;
}

export async function getRoleTrust(aws: AwsContext, roleName: string): Promise<RoleTrust | undefined> {
  const role = await orAwsError(`read role ${roleName} (iam:GetRole)`, getRole(aws, roleName));
  return role ? { arn: role.arn, document: role.trustPolicy } : undefined;
}

export interface OidcProvider {
  url: string;
  clientIds: string[];
}

export async function getOidcProvider(aws: AwsContext, arn: string): Promise<OidcProvider | undefined> {
  const provider = await orAwsError(
    `read OIDC provider ${arn} (iam:GetOpenIDConnectProvider)`,
    getIamOidcProvider(aws, arn),
  );
  return provider ? { url: provider.url, clientIds: provider.clientIds } : undefined;
}

/** ECR's login answer without the token: what may be shown. */
export interface EcrLoginInfo {
  registry: string;
  expiresAt: Date | undefined;
}

/** Docker credentials for the registry. The password is a secret: never print or log it. */
export interface EcrCredentials extends EcrLoginInfo {
  username: string;
  password: string;
}

export async function getEcrCredentials(aws: AwsContext): Promise<EcrCredentials> {
  const { ECRClient, GetAuthorizationTokenCommand } = sdk.ecr();
  const ecr = new ECRClient(awsClientConfig(aws, "ECR"));
  try {
    const out = await ecr.send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData?.[0];
    const decoded = Buffer.from(data?.authorizationToken ?? "", "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return {
      registry: (data?.proxyEndpoint ?? "").replace(/^https?:\/\//, ""),
      expiresAt: data?.expiresAt,
      username: colon > 0 ? decoded.slice(0, colon) : "AWS",
      password: colon > 0 ? decoded.slice(colon + 1) : "",
    };
  } catch (error) {
    throw toAwsError(error, "log in to ECR (ecr:GetAuthorizationToken)");
  } finally {
    ecr.destroy();
  }
}

/** Proves the login works and shows only what is safe to show. */
export async function checkEcrLogin(aws: AwsContext): Promise<EcrLoginInfo> {
  const { registry, expiresAt, password } = await getEcrCredentials(aws);
  if (password === "") throw new Error("ECR returned no authorization token");
  return { registry, expiresAt };
}

export interface EcrRepository {
  uri: string;
  tagMutability: string;
}

export async function describeRepository(aws: AwsContext, name: string): Promise<EcrRepository | undefined> {
  const repo = await orAwsError(`describe ECR repository ${name}`, describeEcrRepository(aws, name));
  return repo ? { uri: repo.uri, tagMutability: repo.tagMutability } : undefined;
}

/** The digest an image tag points at, or undefined when the tag is free. */
export async function imageTagDigest(
  aws: AwsContext,
  repositoryName: string,
  tag: string,
): Promise<string | undefined> {
  const image = await orAwsError(
    `look up tag ${tag} in ${repositoryName}`,
    describeImage(aws, repositoryName, { tag }),
  );
  return image?.digest;
}

export interface ClusterInfo {
  status: string;
  version: string;
  endpoint: string;
  /** Who can reach the API endpoint: public (to publicAccessCidrs) and/or private (inside the VPC). */
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
  publicAccessCidrs: string[];
}

export async function describeCluster(aws: AwsContext, name: string): Promise<ClusterInfo | undefined> {
  const c = await orAwsError(`describe cluster ${name} (eks:DescribeCluster)`, describeEksCluster(aws, name));
  return c
    ? {
        status: c.status,
        version: c.version ?? "",
        endpoint: c.endpoint ?? "",
        endpointPublicAccess: c.endpointPublicAccess,
        endpointPrivateAccess: c.endpointPrivateAccess,
        publicAccessCidrs: c.publicAccessCidrs,
      }
    : undefined;
}

export type { AccessPolicy } from "./eks.js";

/** The access policies of a principal's access entry; see eks.ts. */
export async function listAccessPolicies(aws: AwsContext, clusterName: string, principalArn: string) {
  return orAwsError(
    `list the access policies of ${principalArn} (eks:ListAssociatedAccessPolicies)`,
    listEksAccessPolicies(aws, clusterName, principalArn),
  );
}

export { type BucketAccess, probeModelBucket } from "./model-store.js";

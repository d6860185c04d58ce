import { awsErrorName } from "../errors.js";
import { type AwsContext, awsClientConfig, toAwsError } from "./clients.js";

/**
 * The AWS calls the delivery pipeline needs (STYLE 3): the deploy role's trust, the OIDC provider,
 * ECR login and repository, the cluster. Not-found answers come back as undefined; anything else
 * is thrown as a one-line error from toAwsError.
 */

export interface RoleTrust {
  arn: string;
  /** The trust policy as IAM returns it (URL-encoded JSON). */
  document: string;
}

export async function getRoleTrust(aws: AwsContext, roleName: string): Promise<RoleTrust | undefined> {
  const { IAMClient, GetRoleCommand } = await import("@aws-sdk/client-iam");
  const iam = new IAMClient(awsClientConfig(aws, "IAM"));
  try {
    const out = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    return { arn: out.Role?.Arn ?? "", document: out.Role?.AssumeRolePolicyDocument ?? "" };
  } catch (error) {
    if (awsErrorName(error) === "NoSuchEntityException" || awsErrorName(error) === "NoSuchEntity")
      return undefined;
    throw toAwsError(error, `read role ${roleName} (iam:GetRole)`);
  } finally {
    iam.destroy();
  }
}

export interface OidcProvider {
  url: string;
  clientIds: string[];
}

export async function getOidcProvider(aws: AwsContext, arn: string): Promise<OidcProvider | undefined> {
  const { IAMClient, GetOpenIDConnectProviderCommand } = await import("@aws-sdk/client-iam");
  const iam = new IAMClient(awsClientConfig(aws, "IAM"));
  try {
    const out = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    return { url: out.Url ?? "", clientIds: out.ClientIDList ?? [] };
  } catch (error) {
    if (awsErrorName(error) === "NoSuchEntityException" || awsErrorName(error) === "NoSuchEntity")
      return undefined;
    throw toAwsError(error, `read OIDC provider ${arn} (iam:GetOpenIDConnectProvider)`);
  } finally {
    iam.destroy();
  }
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
  const { ECRClient, GetAuthorizationTokenCommand } = await import("@aws-sdk/client-ecr");
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
  const { ECRClient, DescribeRepositoriesCommand } = await import("@aws-sdk/client-ecr");
  const ecr = new ECRClient(awsClientConfig(aws, "ECR"));
  try {
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    const repo = out.repositories?.[0];
    return repo
      ? { uri: repo.repositoryUri ?? "", tagMutability: repo.imageTagMutability ?? "MUTABLE" }
      : undefined;
  } catch (error) {
    if (awsErrorName(error) === "RepositoryNotFoundException") return undefined;
    throw toAwsError(error, `describe ECR repository ${name}`);
  } finally {
    ecr.destroy();
  }
}

/** The digest an image tag points at, or undefined when the tag is free. */
export async function imageTagDigest(
  aws: AwsContext,
  repositoryName: string,
  tag: string,
): Promise<string | undefined> {
  const { ECRClient, DescribeImagesCommand } = await import("@aws-sdk/client-ecr");
  const ecr = new ECRClient(awsClientConfig(aws, "ECR"));
  try {
    const out = await ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] }));
    return out.imageDetails?.[0]?.imageDigest ?? "";
  } catch (error) {
    if (awsErrorName(error) === "ImageNotFoundException") return undefined;
    throw toAwsError(error, `look up tag ${tag} in ${repositoryName}`);
  } finally {
    ecr.destroy();
  }
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
  const { EKSClient, DescribeClusterCommand } = await import("@aws-sdk/client-eks");
  const eks = new EKSClient(awsClientConfig(aws, "EKS"));
  try {
    const out = await eks.send(new DescribeClusterCommand({ name }));
    const c = out.cluster;
    const vpc = c?.resourcesVpcConfig;
    return {
      status: c?.status ?? "UNKNOWN",
      version: c?.version ?? "",
      endpoint: c?.endpoint ?? "",
      // EKS's own defaults when a field is absent: public on, private off.
      endpointPublicAccess: vpc?.endpointPublicAccess ?? true,
      endpointPrivateAccess: vpc?.endpointPrivateAccess ?? false,
      publicAccessCidrs: vpc?.publicAccessCidrs ?? [],
    };
  } catch (error) {
    if (awsErrorName(error) === "ResourceNotFoundException") return undefined;
    throw toAwsError(error, `describe cluster ${name} (eks:DescribeCluster)`);
  } finally {
    eks.destroy();
  }
}

export interface AccessPolicy {
  /** e.g. arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy */
  policyArn: string;
  scope: "cluster" | "namespace";
  namespaces: string[];
}

/**
 * The access policies associated with a principal's access entry (eks:ListAssociatedAccessPolicies).
 * Undefined when the principal has no access entry; `"unavailable"` when the API itself is absent
 * (the emulator answers 404 without an error code), which callers treat as unknown.
 */
export async function listAccessPolicies(
  aws: AwsContext,
  clusterName: string,
  principalArn: string,
): Promise<AccessPolicy[] | undefined | "unavailable"> {
  const { EKSClient, ListAssociatedAccessPoliciesCommand } = await import("@aws-sdk/client-eks");
  const eks = new EKSClient(awsClientConfig(aws, "EKS"));
  const out: AccessPolicy[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await eks.send(
        new ListAssociatedAccessPoliciesCommand({ clusterName, principalArn, nextToken }),
      );
      for (const p of page.associatedAccessPolicies ?? []) {
        out.push({
          policyArn: p.policyArn ?? "",
          scope: p.accessScope?.type === "namespace" ? "namespace" : "cluster",
          namespaces: p.accessScope?.namespaces ?? [],
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  } catch (error) {
    const name = awsErrorName(error);
    if (name === "ResourceNotFoundException") return undefined;
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || name === "UnknownError" || name === "NotFoundException") return "unavailable";
    throw toAwsError(error, `list the access policies of ${principalArn} (eks:ListAssociatedAccessPolicies)`);
  } finally {
    eks.destroy();
  }
}

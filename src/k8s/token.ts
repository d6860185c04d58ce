// The EKS bearer token, made as `aws eks get-token` makes it: an STS GetCallerIdentity URL presigned
// with SigV4 whose signed headers include x-k8s-aws-id (the cluster), wrapped as k8s-aws-v1.<base64url>.
// The API server's authenticator calls that URL to learn who we are.
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsContext } from "../aws/clients.js";
import { type AwsCredentials, resolveCredentials as resolveAwsCredentials } from "../aws/identity.js";
import { UserError } from "../errors.js";
import { registerSecret } from "../io/redact.js";

export const TOKEN_PREFIX = "k8s-aws-v1.";
export const CLUSTER_ID_HEADER = "x-k8s-aws-id";
/** STS honours at most 60 s for this presigned URL; EKS accepts the token for 15 minutes after signing. */
const URL_EXPIRES_SECONDS = 60;
const TOKEN_LIFETIME_MS = 14 * 60 * 1000;

/** SHA-256 (HMAC when given a secret) over node:crypto, in the shape the smithy signer takes. */
type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBytes(data: SourceData): string | Uint8Array {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : toBytes(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret);
  }
  update(data: SourceData): void {
    this.hash.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export type Credentials = AwsCredentials;

export interface ExecCredential {
  kind: "ExecCredential";
  apiVersion: "client.authentication.k8s.io/v1beta1";
  spec: Record<string, never>;
  status: { expirationTimestamp: string; token: string };
}

/** Pure except for the clock: presigns and wraps the token. */
export async function makeEksToken(options: {
  cluster: string;
  region: string;
  credentials: Credentials;
  now?: Date;
}): Promise<{ token: string; expiresAt: Date }> {
  const now = options.now ?? new Date();
  const hostname = `sts.${options.region}.amazonaws.com${options.region.startsWith("cn-") ? ".cn" : ""}`;
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: "sts",
    sha256: NodeSha256,
    uriEscapePath: true,
  });
  const request = new HttpRequest({
    method: "GET",
    protocol: "https:",
    hostname,
    path: "/",
    query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
    headers: { host: hostname, [CLUSTER_ID_HEADER]: options.cluster },
  });
  const signed = await signer.presign(request, { expiresIn: URL_EXPIRES_SECONDS, signingDate: now });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
  const url = `https://${hostname}/?${query}`;
  const token = TOKEN_PREFIX + Buffer.from(url).toString("base64url");
  return { token, expiresAt: new Date(now.getTime() + TOKEN_LIFETIME_MS) };
}

/** The ExecCredential document kubectl and client libraries read from an exec plugin. */
export function execCredential(token: string, expiresAt: Date): ExecCredential {
  return {
    kind: "ExecCredential",
    apiVersion: "client.authentication.k8s.io/v1beta1",
    spec: {},
    // Same shape as `aws eks get-token`: whole seconds, Z.
    status: { expirationTimestamp: `${expiresAt.toISOString().slice(0, 19)}Z`, token },
  };
}

/** Credentials from the SDK's default chain, as every other AWS call gets them. */
export function resolveCredentials(aws: AwsContext): Promise<Credentials> {
  return resolveAwsCredentials(aws, "sign an EKS token");
}

export async function runToken(options: {
  cluster: string;
  region: string;
  aws: AwsContext;
}): Promise<ExecCredential> {
  if (!/^[0-9A-Za-z][A-Za-z0-9\-_]*$/.test(options.cluster) || options.cluster.length > 100) {
    throw new UserError(`"${options.cluster}" is not an EKS cluster name.`, {
      code: "token.bad-cluster",
      suggestion: "Pass --cluster NAME (letters, digits, hyphens and underscores).",
    });
  }
  const credentials = await resolveCredentials(options.aws);
  const { token, expiresAt } = await makeEksToken({ ...options, credentials });
  registerSecret(token);
  return execCredential(token, expiresAt);
}

import { describe, expect, it } from "vitest";
import { redactSecrets } from "../io/redact.js";
import { execCredential, makeEksToken, TOKEN_PREFIX } from "./token.js";

const credentials = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};

function decode(token: string): URL {
  expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(TOKEN_PREFIX.length);
  expect(encoded).not.toMatch(/[=+/]/);
  return new URL(Buffer.from(encoded, "base64url").toString("utf8"));
}

describe("makeEksToken", () => {
  it("wraps an STS GetCallerIdentity URL presigned with x-k8s-aws-id among the signed headers", async () => {
    const now = new Date("2026-03-01T12:00:00Z");
    const { token, expiresAt } = await makeEksToken({
      cluster: "acme-prod",
      region: "eu-west-1",
      credentials,
      now,
    });
    const url = decode(token);
    expect(url.origin).toBe("https://sts.eu-west-1.amazonaws.com");
    expect(url.searchParams.get("Action")).toBe("GetCallerIdentity");
    expect(url.searchParams.get("Version")).toBe("2011-06-15");
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("60");
    expect(url.searchParams.get("X-Amz-Date")).toBe("20260301T120000Z");
    expect(url.searchParams.get("X-Amz-Credential")).toBe("AKIDEXAMPLE/20260301/eu-west-1/sts/aws4_request");
    expect(url.searchParams.get("X-Amz-SignedHeaders")?.split(";")).toEqual(["host", "x-k8s-aws-id"]);
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(expiresAt.getTime() - now.getTime()).toBe(14 * 60 * 1000);
  });

  it("gives the signature botocore gives for the same request (known answer)", async () => {
    // Reference: botocore's generate_presigned_url for sts get_caller_identity with the header added
    // in before-sign, as `aws eks get-token` does, at 2026-11-25T00:58:06Z.
    const now = new Date("2026-11-25T00:58:06Z");
    const { token } = await makeEksToken({ cluster: "acme-prod", region: "eu-west-1", credentials, now });
    expect(decode(token).searchParams.get("X-Amz-Signature")).toBe(
      "087f75675af82874165a27f08f918ea45371f7dc385f575f553b37f9fc818feb",
    );
  });

  it("signs the cluster name: another cluster gives another signature", async () => {
    const now = new Date("2026-03-01T12:00:00Z");
    const a = decode((await makeEksToken({ cluster: "a", region: "us-east-1", credentials, now })).token);
    const b = decode((await makeEksToken({ cluster: "b", region: "us-east-1", credentials, now })).token);
    expect(a.searchParams.get("X-Amz-Signature")).not.toBe(b.searchParams.get("X-Amz-Signature"));
  });

  it("carries a session token when the credentials have one", async () => {
    const { token } = await makeEksToken({
      cluster: "c",
      region: "us-east-1",
      credentials: { ...credentials, sessionToken: "FQoGZXIvYXdzEXAMPLE" },
    });
    expect(decode(token).searchParams.get("X-Amz-Security-Token")).toBe("FQoGZXIvYXdzEXAMPLE");
  });
});

describe("execCredential", () => {
  it("has the shape of `aws eks get-token`", () => {
    const doc = execCredential("k8s-aws-v1.abc", new Date("2026-03-01T12:14:00.123Z"));
    expect(doc).toEqual({
      kind: "ExecCredential",
      apiVersion: "client.authentication.k8s.io/v1beta1",
      spec: {},
      status: { expirationTimestamp: "2026-03-01T12:14:00Z", token: "k8s-aws-v1.abc" },
    });
    expect(redactSecrets(JSON.stringify(doc))).not.toContain("abc");
  });
});

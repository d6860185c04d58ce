import { describe, expect, it } from "vitest";
import { runCli } from "../../test/support/run-cli.js";

const env = {
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

describe("triton-ops token", () => {
  it("prints only an ExecCredential on stdout, nothing of the token elsewhere", async () => {
    const run = await runCli("token --cluster acme-dev --region eu-west-1", { cwd: "/", env });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.kind).toBe("ExecCredential");
    const url = new URL(Buffer.from(doc.status.token.slice("k8s-aws-v1.".length), "base64url").toString());
    expect(url.host).toBe("sts.eu-west-1.amazonaws.com");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(/^AKIAIOSFODNN7EXAMPLE\//);
    const minutes = (Date.parse(doc.status.expirationTimestamp) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(13);
    expect(minutes).toBeLessThanOrEqual(14);
    expect(run.stderr).toBe("");
  });

  it("takes the region from AWS_REGION, refuses without one, and refuses a bad cluster name", async () => {
    const fromEnv = await runCli("token --cluster c", {
      cwd: "/",
      env: { ...env, AWS_REGION: "ap-south-1" },
    });
    expect(JSON.parse(fromEnv.stdout).status.token).toMatch(/^k8s-aws-v1\./);
    const none = await runCli("token --cluster c", { cwd: "/", env });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("No AWS region");
    const sandbox = await runCli("token --sandbox --cluster c --region us-east-1", { cwd: "/", env: {} });
    expect(sandbox.code, sandbox.stderr).toBe(0);
    const signedBy = new URL(
      Buffer.from(
        JSON.parse(sandbox.stdout).status.token.slice("k8s-aws-v1.".length),
        "base64url",
      ).toString(),
    ).searchParams.get("X-Amz-Credential");
    expect(signedBy).toMatch(/^testing\//);
    const bad = await runCli("token --cluster 'a b' --region us-east-1", { cwd: "/", env });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
  });
});

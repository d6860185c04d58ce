import { describe, expect, it } from "vitest";
import type { TerraformDiagnostic } from "../terraform/progress.js";
import { unreachableEndpoint } from "./terraform-stage.js";

const diagnostic = (summary: string, detail = ""): TerraformDiagnostic => ({
  severity: "error",
  summary,
  detail,
  address: undefined,
  location: undefined,
});

describe("unreachableEndpoint", () => {
  it("finds the endpoint in the provider's retry trace when the emulator is gone", () => {
    // Captured from a real run whose moto server was killed during apply.
    const seen = diagnostic(
      'Retrieving AWS account details: validating provider credentials: retrieving caller identity from STS: operation error STS: GetCallerIdentity, exceeded maximum number of attempts, 9, https response error StatusCode: 0, RequestID: , request send failed, Post "http://127.0.0.1:39387/": dial tcp 127.0.0.1:39387: connect: connection refused',
    );
    expect(unreachableEndpoint([seen])).toBe("http://127.0.0.1:39387");
  });

  it("looks in the detail too, and names no endpoint it cannot see", () => {
    const d = diagnostic("creating EC2 VPC", "dial tcp: lookup ec2.example.invalid: no such host");
    expect(unreachableEndpoint([d])).toBe("the AWS endpoint");
  });

  it("leaves every other failure to the normal report", () => {
    expect(unreachableEndpoint([diagnostic("Error acquiring the state lock")])).toBeUndefined();
    expect(
      unreachableEndpoint([
        diagnostic("creating IAM Role", "EntityAlreadyExists: Role with name x already exists"),
      ]),
    ).toBeUndefined();
  });
});

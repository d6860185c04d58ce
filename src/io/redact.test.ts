import { describe, expect, it } from "vitest";
import { redactSecrets, registerSecret } from "./redact.js";

describe("redactSecrets", () => {
  it("hides EKS tokens, access keys, secret keys and session tokens", () => {
    const text = [
      "token k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9u",
      "key AKIAIOSFODNN7EXAMPLE here",
      'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
      "https://sts.amazonaws.com/?X-Amz-Security-Token=FQoGZXIvYXdzEJr&X-Amz-Date=1",
    ].join("\n");
    const out = redactSecrets(text);
    expect(out).not.toContain("aHR0cHM6Ly9zdHMu");
    expect(out).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(out).not.toContain("wJalrXUtnFEMI");
    expect(out).not.toContain("FQoGZXIvYXdzEJr");
    expect(out).toContain("X-Amz-Date=1");
  });

  it("hides values registered at run time", () => {
    registerSecret("grafana-admin-Pa55word!");
    expect(redactSecrets("password is grafana-admin-Pa55word! ok")).toBe("password is [redacted] ok");
  });
});

import { describe, expect, it } from "vitest";
import type { UserError } from "../errors.js";
import { classifyPackageSpec } from "./package-spec.js";

const COMMIT = "0123456789abcdef0123456789abcdef01234567";

function refusal(spec: string): string {
  try {
    classifyPackageSpec(spec);
  } catch (error) {
    expect((error as UserError).code).toBe("ci.invalid-cli-package");
    return (error as UserError).message;
  }
  throw new Error(`${spec} was accepted`);
}

describe("classifyPackageSpec", () => {
  it("accepts a git URL at a commit, a tarball URL and an exact registry version", () => {
    expect(classifyPackageSpec(`git+https://github.com/acme/triton-ops.git#${COMMIT}`).kind).toBe("git");
    expect(classifyPackageSpec(`github:acme/triton-ops#${COMMIT}`).kind).toBe("git");
    expect(classifyPackageSpec("https://example.com/dl/triton-ops-0.1.0.tgz")).toEqual({
      spec: "https://example.com/dl/triton-ops-0.1.0.tgz",
      kind: "tarball",
    });
    expect(classifyPackageSpec("@acme/triton-ops@0.1.0").kind).toBe("registry");
  });

  it("refuses specs that can move under the workflow", () => {
    expect(refusal("git+https://github.com/acme/triton-ops.git#main")).toContain("must name a full commit");
    expect(refusal("git+https://github.com/acme/triton-ops.git")).toContain("must name a full commit");
    expect(refusal("triton-ops")).toContain("exact version");
    expect(refusal("@acme/triton-ops@^0.1.0")).toContain("exact version");
    expect(refusal("triton-ops@latest")).toContain("exact version");
  });

  it("refuses plain http except on loopback, where it says a runner cannot fetch it", () => {
    expect(refusal("http://example.com/triton-ops-0.1.0.tgz")).toContain("plain http");
    expect(classifyPackageSpec("http://127.0.0.1:4000/triton-ops-0.1.0.tgz").warning).toContain(
      "a GitHub runner cannot fetch it",
    );
    expect(refusal("https://example.com/triton-ops")).toContain("not of a .tgz tarball");
    expect(refusal("")).toContain("is empty");
  });
});

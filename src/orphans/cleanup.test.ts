import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { confirmationMode, looksLikeProd, ownedByProject } from "./cleanup.js";

const account = "123456789012";
const base = { account, yes: true, interactive: false };

describe("confirmation rules", () => {
  it("is a dry run without --yes and does nothing with nothing to do", () => {
    expect(confirmationMode({ ...base, count: 0 })).toBe("nothing");
    expect(confirmationMode({ ...base, count: 3, yes: false })).toBe("dry-run");
    expect(confirmationMode({ ...base, count: 30, yes: false, interactive: true })).toBe("dry-run");
  });

  it("asks in a terminal even with --yes; above 10 items the account id is typed", () => {
    expect(confirmationMode({ ...base, interactive: true, count: 10 })).toBe("confirm");
    expect(confirmationMode({ ...base, interactive: true, count: 11 })).toBe("type-account");
  });

  it("without a terminal proceeds up to 10 items; above that only with the matching --confirm-account", () => {
    expect(confirmationMode({ ...base, count: 10 })).toBe("proceed");
    expect(() => confirmationMode({ ...base, count: 11 })).toThrow(UserError);
    expect(() => confirmationMode({ ...base, count: 11 })).toThrow(/--confirm-account 123456789012/);
    expect(confirmationMode({ ...base, count: 11, confirmAccount: account })).toBe("proceed");
    expect(() => confirmationMode({ ...base, count: 2, confirmAccount: "111111111111" })).toThrow(
      /does not match/,
    );
  });
});

describe("guards", () => {
  it("spots production aliases", () => {
    expect(looksLikeProd(["acme-Prod-main"])).toBe("acme-Prod-main");
    expect(looksLikeProd(["acme-dev"])).toBeUndefined();
    expect(looksLikeProd([])).toBeUndefined();
  });

  it("owns by prefix or by the project's tags, never against another project's tag", () => {
    const project = { name: "acme", environment: "dev" };
    expect(ownedByProject("acme-dev-ci", {}, project)).toBe(true);
    expect(ownedByProject("acme-developer", {}, project)).toBe(false);
    expect(ownedByProject("ci-deployer", { ManagedBy: "triton-ops", Project: "acme" }, project)).toBe(true);
    expect(
      ownedByProject(
        "ci-deployer",
        { ManagedBy: "triton-ops", Project: "acme", Environment: "prod" },
        project,
      ),
    ).toBe(false);
    expect(ownedByProject("acme-dev-ci", { Project: "other" }, project)).toBe(false);
  });
});

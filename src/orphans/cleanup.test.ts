import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { assertOwned, confirmationMode, looksLikeProd, ownsProfile } from "./cleanup.js";

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

  it("cleanup --role/--ecr refuse foreign, unrelated and unreadable ones in one line, with its own code", () => {
    const project = { name: "acme", environment: "dev" };
    const refusal = (name: string, tags: Record<string, string> | undefined, tagsUnreadable?: string) => {
      try {
        assertOwned(
          "Role",
          { name, tags, ...(tagsUnreadable ? { tagsUnreadable } : {}) },
          "iam-role",
          project,
        );
        return undefined;
      } catch (error) {
        return { code: (error as UserError).code, message: (error as Error).message };
      }
    };
    expect(refusal("acme-dev-ci", {})).toBeUndefined();
    expect(refusal("ci-deployer", { ManagedBy: "triton-ops", Project: "acme" })).toBeUndefined();
    // The case the issue found: the old cleanup rule let this one go by its name.
    expect(refusal("acme-dev-x", { Project: "acme", Environment: "prod" })).toEqual({
      code: "cleanup.not-project",
      message: "Role acme-dev-x is not the project's: it is tagged Environment=prod, not for acme/dev.",
    });
    expect(refusal("acme-developer", {})?.code).toBe("cleanup.not-project");
    expect(refusal("acme-dev-ci", undefined, "AccessDenied")).toEqual({
      code: "cleanup.ownership-unknown",
      message:
        "Role acme-dev-ci: its tags could not be read (AccessDenied), so whether it is acme-dev's is unknown; nothing deleted.",
    });
  });

  it("a role teardown deletes only the project's instance profiles, by the same rule", () => {
    const project = { name: "acme", environment: "dev" };
    expect(ownsProfile({ name: "acme-dev-ci", tags: {} }, project)).toBe(true);
    expect(ownsProfile({ name: "shared", tags: { ManagedBy: "triton-ops", Project: "acme" } }, project)).toBe(
      true,
    );
    expect(ownsProfile({ name: "acme-dev-ci", tags: { Project: "other" } }, project)).toBe(false);
    expect(ownsProfile({ name: "acme-dev-ci", tags: undefined }, project)).toBe(false);
  });
});

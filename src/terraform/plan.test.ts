import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collisionCandidates } from "./collisions.js";
import {
  countUnknown,
  formatPlanSummary,
  kindOf,
  operationCount,
  type PlanJson,
  summarizePlan,
} from "./plan.js";

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(path.join(__dirname, "../../test/fixtures/plans", `${name}.json`), "utf8"),
  ) as PlanJson;
const plain = {
  red: (t: string) => `R{${t}}`,
  green: (t: string) => t,
  yellow: (t: string) => t,
  dim: (t: string) => t,
};

describe("summarizePlan on real plans", () => {
  it("counts a fresh apply and the values known only after apply", () => {
    const s = summarizePlan(fixture("plan-create"));
    expect(s).toMatchObject({ add: 4, change: 0, destroy: 0, replace: 0, empty: false });
    expect(s.unknownAfterApply).toBeGreaterThan(10);
    expect(s.changes.map((c) => c.address).sort()).toEqual([
      "aws_iam_role.node",
      "aws_s3_bucket.models[0]",
      "aws_subnet.private",
      "aws_vpc.this",
    ]);
  });

  it("tells an update, a replacement with its cause, and a delete with its reason", () => {
    const s = summarizePlan(fixture("plan-mixed"));
    expect(s).toMatchObject({ add: 1, change: 1, destroy: 2, replace: 1 });
    const byAddress = Object.fromEntries(s.changes.map((c) => [c.address, c]));
    expect(byAddress["aws_subnet.private"]).toMatchObject({
      kind: "replace",
      reason: "forces replacement: cidr_block",
    });
    expect(byAddress["aws_s3_bucket.models[0]"]).toMatchObject({ kind: "delete", reason: "count shrank" });
    expect(byAddress["aws_iam_role.node"]?.kind).toBe("update");
    expect(byAddress["aws_vpc.this"]).toBeUndefined();
    expect(operationCount(s)).toBe(4);
  });

  it("shows replacements and destroys in red", () => {
    const text = formatPlanSummary("vpc", summarizePlan(fixture("plan-mixed")), plain);
    expect(text).toContain("R{2 to destroy}");
    expect(text).toContain("R{1 replaced}");
    expect(text).toMatch(/R\{ {2}-\/\+ aws_subnet\.private {2}\(forces replacement: cidr_block\)\}/);
  });

  it("summarises a destroy plan", () => {
    const s = summarizePlan(fixture("plan-destroy"));
    expect(s).toMatchObject({ add: 0, destroy: 4, unknownAfterApply: 0 });
    expect(s.changes.every((c) => c.kind === "delete" && c.after === undefined)).toBe(true);
  });

  it("treats a plan without changes as empty", () => {
    expect(summarizePlan({ resource_changes: [] }).empty).toBe(true);
    expect(formatPlanSummary("iam", summarizePlan({}), plain)).toBe("iam: no changes.");
  });

  it("offers planned names for collision lookups", () => {
    const candidates = collisionCandidates(summarizePlan(fixture("plan-create")));
    expect(candidates).toEqual(
      expect.arrayContaining([
        { address: "aws_iam_role.node", type: "aws_iam_role", name: "capture-node" },
        { address: "aws_s3_bucket.models[0]", type: "aws_s3_bucket", name: "capture-models" },
      ]),
    );
    expect(candidates.some((c) => c.type === ("aws_vpc" as string))).toBe(false);
  });
});

describe("plan arithmetic (property)", () => {
  const actions = fc.constantFrom(
    ["create"],
    ["update"],
    ["delete"],
    ["delete", "create"],
    ["create", "delete"],
    ["no-op"],
    ["read"],
  );
  it("add/change/destroy always match the per-resource kinds", () => {
    fc.assert(
      fc.property(fc.array(actions, { maxLength: 40 }), (list) => {
        const plan: PlanJson = {
          resource_changes: list.map((a, i) => ({
            address: `aws_x.r${i}`,
            type: "aws_x",
            change: { actions: [...a] },
          })),
        };
        const s = summarizePlan(plan);
        const kinds = list.map(kindOf);
        expect(s.replace).toBe(kinds.filter((k) => k === "replace").length);
        expect(s.add).toBe(kinds.filter((k) => k === "create" || k === "replace").length);
        expect(s.destroy).toBe(kinds.filter((k) => k === "delete" || k === "replace").length);
        expect(s.change).toBe(kinds.filter((k) => k === "update").length);
        expect(s.empty).toBe(s.changes.length === 0);
      }),
    );
  });
  it("counts every true leaf of after_unknown", () => {
    expect(countUnknown({ a: true, b: [true, false, { c: true }], d: false })).toBe(3);
  });
});

import { describe, expect, it } from "vitest";
import { bundledCatalog } from "../config/kubernetes-versions.js";
import { UserError } from "../errors.js";
import { chooseTarget, kubeletSkewCheck, pdbBlockers, selectorMatches, surgeNodes } from "./rules.js";

const catalog = bundledCatalog();
const refused = (fn: () => unknown): UserError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error("not refused");
};

describe("chooseTarget: one minor version at a time", () => {
  it("defaults to the next minor, or to the control plane when node groups lag", () => {
    expect(chooseTarget("1.33", undefined, catalog, ["1.33"])).toBe("1.34");
    expect(chooseTarget("1.34", undefined, catalog, ["1.33", "1.34"])).toBe("1.34");
  });

  it("refuses a skipped minor and prints the path", () => {
    const e = refused(() => chooseTarget("1.32", "1.35", catalog, []));
    expect(e.code).toBe("upgrade.skips-minor");
    expect(e.message).toContain("1.32 -> 1.33 -> 1.34 -> 1.35");
    expect(e.message).toContain("--to 1.33");
  });

  it("refuses a downgrade, an unknown version and garbage", () => {
    expect(refused(() => chooseTarget("1.34", "1.33", catalog, [])).code).toBe("upgrade.downgrade");
    expect(refused(() => chooseTarget("1.34", "1.99", catalog, [])).code).toBe("upgrade.unknown-version");
    expect(refused(() => chooseTarget("1.34", "latest", catalog, [])).code).toBe("upgrade.bad-version");
    expect(refused(() => chooseTarget("1.35", undefined, catalog, ["1.35"])).code).toBe(
      "upgrade.nothing-newer",
    );
  });
});

describe("kubelet skew", () => {
  it("allows kubelets up to three minors older than the target, never newer", () => {
    expect(kubeletSkewCheck("1.34", [{ node: "a", version: "1.31" }]).status).toBe("pass");
    const old = kubeletSkewCheck("1.34", [
      { node: "a", version: "1.30" },
      { node: "b", version: "1.33" },
    ]);
    expect(old.status).toBe("fail");
    expect(old.details).toEqual(["a: kubelet 1.30"]);
    expect(kubeletSkewCheck("1.34", [{ node: "c", version: "1.35" }]).status).toBe("fail");
    expect(kubeletSkewCheck("1.34", []).status).toBe("unknown");
  });
});

describe("PodDisruptionBudget blockers", () => {
  const pods = [
    { namespace: "triton", name: "triton-0", labels: { app: "triton" }, node: "n1", phase: "Running" },
    { namespace: "triton", name: "triton-1", labels: { app: "triton" }, node: "n2", phase: "Running" },
    { namespace: "triton", name: "job-x", labels: { app: "triton" }, node: "n1", phase: "Succeeded" },
    { namespace: "other", name: "triton-9", labels: { app: "triton" }, node: "n1", phase: "Running" },
  ];

  it("names a budget that allows no disruption, with the pods it holds on drained nodes", () => {
    const pdbs = [
      {
        namespace: "triton",
        name: "triton",
        selector: { matchLabels: { app: "triton" } },
        disruptionsAllowed: 0,
      },
      {
        namespace: "triton",
        name: "loose",
        selector: { matchLabels: { app: "triton" } },
        disruptionsAllowed: 1,
      },
    ];
    expect(pdbBlockers(pdbs, pods)).toEqual([{ pdb: "triton/triton", pods: ["triton-0", "triton-1"] }]);
    expect(pdbBlockers(pdbs, pods, new Set(["n2"]))).toEqual([{ pdb: "triton/triton", pods: ["triton-1"] }]);
  });

  it("ignores a budget whose selector matches no pod", () => {
    const pdbs = [
      { namespace: "triton", name: "x", selector: { matchLabels: { app: "none" } }, disruptionsAllowed: 0 },
    ];
    expect(pdbBlockers(pdbs, pods)).toEqual([]);
  });

  it("implements label-selector expressions", () => {
    const labels = { app: "triton", tier: "gpu" };
    expect(selectorMatches({}, labels)).toBe(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: "tier", operator: "In", values: ["gpu"] }] }, labels),
    ).toBe(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["gpu"] }] }, labels),
    ).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "Exists" }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, labels)).toBe(
      true,
    );
  });
});

describe("surge sizing", () => {
  it("is the larger of twice the AZs and max unavailable (EKS's scale-up phase)", () => {
    expect(surgeNodes(3, 1)).toBe(6);
    expect(surgeNodes(2, 1)).toBe(4);
    expect(surgeNodes(5, 20)).toBe(20);
    expect(surgeNodes(2, undefined, 50, 20)).toBe(10);
    expect(surgeNodes(2, undefined)).toBe(4);
  });
});

import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { formatScaleHeader, planScale, withScaleChanges } from "./scale.js";

const config = configSchema.parse({
  gpu: { minSize: 1, desiredSize: 1, maxSize: 2 },
  triton: { replicas: 2 },
});

describe("planScale", () => {
  it("keeps only real changes and maps them to the one stage they feed", () => {
    expect(planScale(config, { gpuMax: 4 })).toMatchObject({
      changes: [{ key: "gpu.maxSize", from: 2, to: 4 }],
      stages: ["gpu-nodes"],
    });
    expect(planScale(config, { replicas: 3, maxReplicas: 6 })).toMatchObject({
      changes: [
        { key: "triton.replicas", from: 2, to: 3 },
        { key: "triton.hpaMaxReplicas", from: null, to: 6 },
      ],
      stages: ["workloads"],
    });
    expect(planScale(config, { gpuMin: 0, replicas: 3 }).stages).toEqual(["gpu-nodes", "workloads"]);
    expect(planScale(config, { gpuMax: 2, replicas: 2 })).toMatchObject({ changes: [], stages: [] });
  });

  it.each([
    [{ gpuMin: 3 }, /GPU min 3 is above max 2/],
    [{ gpuMax: 0 }, /GPU max 0 is below 1/],
    [{ gpuDesired: 3 }, /GPU desired 3 is outside \[min 1, max 2\]/],
    [{ gpuMin: 0, gpuDesired: 0, gpuMax: 0 }, /below 1/],
    [{ replicas: 0 }, /replicas 0 is below 1/],
    [{ replicas: 5, maxReplicas: 4 }, /replicas 5 is above max replicas 4/],
  ])("refuses %o as bad bounds (exit 2)", (request, message) => {
    expect(() => planScale(config, request)).toThrow(message);
    try {
      planScale(config, request);
    } catch (error) {
      expect(error).toMatchObject({ code: "scale.bad-bounds", exitCode: 2 });
    }
  });

  it("judges a lowered max against the desired size the config already has", () => {
    const wide = configSchema.parse({ gpu: { minSize: 0, desiredSize: 3, maxSize: 4 } });
    expect(() => planScale(wide, { gpuMax: 2 })).toThrow(/desired 3 is outside \[min 0, max 2\]/);
    expect(planScale(wide, { gpuMax: 2, gpuDesired: 2 }).changes.map((c) => c.key)).toEqual([
      "gpu.maxSize",
      "gpu.desiredSize",
    ]);
  });
});

describe("withScaleChanges", () => {
  it("sets the keys and keeps comments, order and untouched values", () => {
    const text = [
      "# the project",
      "name: demo",
      "gpu:",
      "  # at most this many GPU nodes",
      "  maxSize: 2 # quota-bound",
      "  minSize: 1",
      "sandbox: true",
      "",
    ].join("\n");
    const out = withScaleChanges(text, [
      { key: "gpu.maxSize", from: 2, to: 5 },
      { key: "triton.replicas", from: 1, to: 3 },
    ]);
    expect(out).toBe(
      [
        "# the project",
        "name: demo",
        "gpu:",
        "  # at most this many GPU nodes",
        "  maxSize: 5 # quota-bound",
        "  minSize: 1",
        "sandbox: true",
        "triton:",
        "  replicas: 3",
        "",
      ].join("\n"),
    );
  });
});

describe("formatScaleHeader", () => {
  it("says whether the file holds the new values, and the quota judgement", () => {
    const base = {
      configFile: "/p/triton-ops.yaml",
      changes: [{ key: "gpu.maxSize" as const, from: 2, to: 3 }],
      stages: ["gpu-nodes" as const],
      apply: null,
    };
    expect(
      formatScaleHeader({
        ...base,
        written: true,
        quota: { status: "pass", summary: "quota 64 >= 12 needed" },
      }),
    ).toBe(
      "/p/triton-ops.yaml now has (gpu-nodes):\n  gpu.maxSize: 2 -> 3\n  GPU vCPU quota: pass (quota 64 >= 12 needed)",
    );
    expect(formatScaleHeader({ ...base, written: false, quota: null })).toMatch(/left as it was/);
    expect(formatScaleHeader({ ...base, changes: [], written: false, quota: null })).toMatch(
      /Nothing to change/,
    );
  });
});

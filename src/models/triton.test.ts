import { describe, expect, it } from "vitest";
import { buildInferRequest, checkInferResponse, type ModelMetadata, mergeStatuses } from "./triton.js";

const metadata: ModelMetadata = {
  name: "m",
  inputs: [
    { name: "IMAGE", datatype: "UINT8", shape: [-1, 3, -1, 2] },
    { name: "TEXT", datatype: "BYTES", shape: [1] },
  ],
  outputs: [{ name: "SCORES", datatype: "FP32", shape: [-1, 10] }],
};

describe("buildInferRequest", () => {
  it("sets every -1 to 1 and fills zeros of each datatype", () => {
    expect(buildInferRequest(metadata)).toEqual({
      inputs: [
        { name: "IMAGE", datatype: "UINT8", shape: [1, 3, 1, 2], data: [0, 0, 0, 0, 0, 0] },
        { name: "TEXT", datatype: "BYTES", shape: [1], data: [""] },
      ],
      outputs: [{ name: "SCORES" }],
    });
  });
});

describe("checkInferResponse", () => {
  it("accepts outputs that match the metadata and names every mismatch", () => {
    expect(
      checkInferResponse(metadata, {
        outputs: [{ name: "SCORES", datatype: "FP32", shape: [4, 10], data: [] }],
      }),
    ).toEqual([]);
    expect(
      checkInferResponse(metadata, {
        outputs: [
          { name: "SCORES", datatype: "FP16", shape: [1, 9] },
          { name: "EXTRA", datatype: "FP32", shape: [1] },
        ],
      }),
    ).toEqual([
      "output SCORES is FP16, metadata says FP32",
      "output SCORES has shape [1,9], metadata says [-1,10]",
      "output EXTRA is not in the metadata",
    ]);
    expect(checkInferResponse(metadata, { outputs: [] })).toEqual(["output SCORES is missing"]);
    expect(checkInferResponse(metadata, {})).toEqual(["the response has no outputs"]);
  });
});

describe("mergeStatuses", () => {
  const model = (name: string, ready: boolean, reason = "") => ({
    name,
    version: "1",
    state: ready ? "READY" : "UNAVAILABLE",
    reason,
    ready,
  });
  it("is READY only where every replica is; a model one replica lacks is MISSING there", () => {
    const merged = mergeStatuses([
      { pod: "a", status: { address: "pod a", ok: true, models: [model("m", true), model("n", true)] } },
      { pod: "b", status: { address: "pod b", ok: true, models: [model("m", true)] } },
    ]);
    expect(merged.ok).toBe(false);
    expect(merged.models).toEqual([
      model("m", true),
      { ...model("n", false), state: "MISSING", reason: "on pod b: not in this replica's repository index" },
    ]);
    expect(merged.replicas).toEqual([
      { pod: "a", ok: true, notReady: [] },
      { pod: "b", ok: false, notReady: ["n"] },
    ]);
  });
});

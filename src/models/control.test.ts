import { describe, expect, it } from "vitest";
import {
  checkControlFlags,
  formatWait,
  mergeReplicaResults,
  readiness,
  removedModels,
  type WaitResult,
} from "./control.js";

describe("checkControlFlags", () => {
  it("allows --load in explicit mode and --wait in poll mode, and refuses what cannot succeed", () => {
    expect(checkControlFlags("explicit", { load: true })).toBe("explicit");
    expect(checkControlFlags("explicit", { load: true, wait: true })).toBe("explicit");
    expect(checkControlFlags("poll", { wait: true })).toBe("poll");
    expect(checkControlFlags("poll", {})).toBeUndefined();
    expect(() => checkControlFlags("poll", { load: true })).toThrow(
      /--load needs .*explicit; this project uses poll/,
    );
    expect(() => checkControlFlags("none", { wait: true })).toThrow(
      /reads the repository only when it starts/,
    );
    expect(() => checkControlFlags("explicit", { wait: true })).toThrow(/loads a model only when asked/);
  });
});

describe("readiness and formatWait", () => {
  it("names each model that is not READY with Triton's reason, a missing one too", () => {
    const models = readiness(
      ["a", "b", "c"],
      [
        { name: "a", version: "1", state: "READY", reason: "" },
        { name: "b", state: "UNAVAILABLE", reason: "load failed: no model.py" },
      ],
    );
    expect(models.map((m) => m.ready)).toEqual([true, false, false]);
    const text = formatWait(
      { address: "http://t", mode: "poll", ok: false, timedOut: true, unloaded: [], waitedMs: 5000, models },
      5,
    );
    expect(text).toBe(
      [
        "2 of 3 model(s) not READY on http://t after 5 s:",
        "  b: UNAVAILABLE: load failed: no model.py",
        "  c: MISSING: not in Triton's repository index",
      ].join("\n"),
    );
  });
});

describe("removedModels", () => {
  it("names a model only when every one of its files was deleted", () => {
    const deleted = ["models/old/config.pbtxt", "models/old/1/model.py", "models/kept/2/model.py"];
    expect(removedModels(deleted, "models/", ["kept"])).toEqual(["old"]);
    expect(removedModels([], "models/", ["kept"])).toEqual([]);
  });
});

describe("mergeReplicaResults", () => {
  const result = (models: Array<[string, string, string]>, extra: Partial<WaitResult> = {}): WaitResult => ({
    address: "x",
    mode: "explicit",
    ok: models.every(([, state]) => state === "READY"),
    timedOut: false,
    unloaded: [],
    waitedMs: 100,
    models: models.map(([name, state, reason]) => ({ name, state, reason, ready: state === "READY" })),
    ...extra,
  });

  it("is READY only where every replica is, and names the pod of the first that is not", () => {
    const merged = mergeReplicaResults([
      {
        pod: "triton-a",
        result: result([
          ["m", "READY", ""],
          ["n", "READY", ""],
        ]),
      },
      {
        pod: "triton-b",
        result: result(
          [
            ["m", "READY", ""],
            ["n", "UNAVAILABLE", "no torch"],
          ],
          { waitedMs: 300, unloaded: ["z"] },
        ),
      },
    ]);
    expect(merged.ok).toBe(false);
    expect(merged.models).toEqual([
      { name: "m", state: "READY", reason: "", ready: true },
      { name: "n", state: "UNAVAILABLE", reason: "on pod triton-b: no torch", ready: false },
    ]);
    expect(merged.replicas).toEqual([
      { pod: "triton-a", ok: true, notReady: [] },
      { pod: "triton-b", ok: false, notReady: ["n"] },
    ]);
    expect(merged).toMatchObject({ address: "2 Triton replicas (pods triton-a, triton-b)", waitedMs: 300 });
    expect(merged.unloaded).toEqual(["z"]);
    expect(formatWait(merged, 10)).toContain("n: UNAVAILABLE: on pod triton-b: no torch");
  });

  it("says MISSING for a model one replica does not list at all", () => {
    const merged = mergeReplicaResults([
      { pod: "a", result: result([["m", "READY", ""]]) },
      { pod: "b", result: result([]) },
    ]);
    expect(merged.models).toEqual([{ name: "m", state: "MISSING", reason: "on pod b", ready: false }]);
  });
});

import { describe, expect, it } from "vitest";
import { checkControlFlags, formatWait, readiness, removedModels } from "./control.js";

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

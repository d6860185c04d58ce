import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { wiresConsistentWithGraph } from "../terraform/variables.js";
import {
  blockedBy,
  dependentsLeft,
  externalNeeds,
  parseStageSelection,
  readyToDestroy,
  readyToStart,
} from "./schedule.js";

describe("stage selection", () => {
  it("parses all, lists and keeps pipeline order", () => {
    expect(parseStageSelection("all")).toEqual(["vpc", "iam", "ecr", "eks", "gpu-nodes", "workloads"]);
    expect(parseStageSelection("eks,vpc")).toEqual(["vpc", "eks"]);
    expect(parseStageSelection(undefined)).toHaveLength(6);
  });
  it("rejects unknown stages and all mixed with others", () => {
    expect(() => parseStageSelection("vpc,gpu")).toThrow(/Unknown stage "gpu"/);
    expect(() => parseStageSelection("all,vpc")).toThrow(UserError);
  });
});

describe("scheduling", () => {
  it("starts vpc, iam and ecr together, then eks, then gpu-nodes", () => {
    const all = parseStageSelection("all");
    const none = new Set<never>();
    expect(readyToStart(all, none, none)).toEqual(["vpc", "iam", "ecr"]);
    const started = new Set(["vpc", "iam", "ecr"] as const);
    expect(readyToStart(all, started, new Set(["vpc", "iam"] as const))).toEqual([]);
    expect(readyToStart(all, started, new Set(["vpc", "iam", "ecr"] as const))).toEqual(["eks"]);
  });
  it("names the stages a selection needs from outside", () => {
    expect(externalNeeds(["gpu-nodes"])).toEqual(["vpc", "iam", "eks"]);
    expect(externalNeeds(["vpc", "iam", "ecr", "eks"])).toEqual([]);
  });
  it("blocks dependents of a failed stage, transitively, naming the root cause", () => {
    const all = parseStageSelection("all");
    const blocked = blockedBy(all, new Set(["vpc", "iam", "ecr"] as const), new Set(["vpc"] as const));
    expect(blocked.get("eks")).toBe("vpc");
    expect(blocked.get("gpu-nodes")).toBe("vpc");
    expect(blocked.get("workloads")).toBe("vpc");
  });
  it("destroys in reverse: workloads first, vpc/iam/ecr last", () => {
    const all = parseStageSelection("all");
    expect(readyToDestroy(all, new Set(), new Set())).toEqual(["workloads"]);
    const done = new Set(["workloads", "gpu-nodes", "eks"] as const);
    expect(readyToDestroy(all, done, done)).toEqual(["vpc", "iam", "ecr"]);
  });
  it("refuses to destroy a stage that an applied stage still needs", () => {
    expect(dependentsLeft(["vpc"], new Set(["vpc", "eks"] as const))).toEqual([
      { stage: "eks", needs: "vpc" },
    ]);
    expect(dependentsLeft(["vpc", "eks"], new Set(["vpc", "eks"] as const))).toEqual([]);
  });
  it("wires inputs only from stages the graph lists as needs", () => {
    expect(wiresConsistentWithGraph()).toBe(true);
  });
});

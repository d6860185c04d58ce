import { describe, expect, it } from "vitest";
import {
  loadScenario,
  ruleOptionsOf,
  scenarioNames,
  snapshotOf,
} from "../../../test/support/doctor-scenarios.js";
import { parseDuration } from "../parse.js";
import { runRules } from "./index.js";

const ALL_CODES = [
  "node.not-ready.kubelet",
  "node.not-ready.cni",
  "node.not-ready.runtime",
  "node.pressure",
  "node.not-joined",
  "node.version-skew",
  "gpu.not-visible",
  "pod.image-pull.repo-missing",
  "pod.image-pull.tag-missing",
  "pod.image-pull.unauthorized",
  "pod.image-pull.invalid-name",
  "pod.image-pull.rate-limited",
  "pod.image-pull.other",
  "pod.pending.insufficient",
  "pod.pending.taint",
  "pod.pending.selector",
  "pod.pending.pvc",
  "pod.pending.no-nodes",
  "pod.pending.pod-limit",
  "pod.crash-loop",
  "pod.oom-killed",
  "pod.config-error",
  "tf.cluster-missing",
  "tf.exists-outside-state",
  "tf.name-taken",
  "k8s.unreachable",
  "k8s.unauthorized",
  "k8s.forbidden",
  "k8s.tls",
  "node.not-ready.other",
];

const names = scenarioNames();

describe("doctor scenario library", () => {
  it("has at least 25 scenarios and one for every finding code", () => {
    expect(names.length).toBeGreaterThanOrEqual(25);
    const covered = new Set(names.flatMap((n) => loadScenario(n).expected.map((e) => e.code)));
    expect(ALL_CODES.filter((c) => !covered.has(c))).toEqual([]);
  });

  it.each(names)("%s", (name) => {
    const scenario = loadScenario(name);
    const findings = runRules(snapshotOf(scenario), ruleOptionsOf(scenario, parseDuration));
    const got = findings.map((f) => `${f.code} ${f.resource}`).sort();
    expect(got).toEqual(scenario.expected.map((e) => `${e.code} ${e.resource}`).sort());
    for (const e of scenario.expected.filter((x) => x.severity)) {
      expect(
        findings.some((f) => f.code === e.code && f.resource === e.resource && f.severity === e.severity),
      ).toBe(true);
    }
    for (const text of scenario.expectedSummaries ?? []) {
      expect(findings.map((f) => f.summary).join("\n")).toContain(text);
    }
    for (const text of scenario.expectedEvidence ?? []) {
      expect(findings.flatMap((f) => f.evidence).join("\n")).toContain(text);
    }
    for (const f of findings) {
      expect(f.evidence.length, `${f.code} has evidence`).toBeGreaterThan(0);
      expect(f.fix.length, `${f.code} has a fix`).toBeGreaterThan(0);
      expect(f.cause.length).toBeGreaterThan(10);
    }
  });

  it("reports a healthy cluster with no finding at all", () => {
    expect(runRules(snapshotOf(loadScenario("healthy")))).toEqual([]);
  });

  it("is deterministic and does not depend on object order", () => {
    const s = loadScenario("combined-gpu-node-lost");
    const a = runRules(snapshotOf(s));
    if (!("unreachable" in s.kubernetes)) {
      s.kubernetes.nodes.reverse();
      s.kubernetes.pods.reverse();
    }
    expect(runRules(snapshotOf(s))).toEqual(a);
  });
});

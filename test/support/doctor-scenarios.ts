import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type {
  CoreV1Event,
  V1DaemonSet,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
} from "@kubernetes/client-node";
import type { RuleOptions } from "../../src/doctor/rules/index.js";
import {
  type AwsFacts,
  type ClusterSnapshot,
  indexEvents,
  type KubeUnreachable,
  type StackSummary,
} from "../../src/doctor/snapshot.js";
import type { TerraformStage } from "../../src/stages.js";

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "doctor");

export interface ScenarioObjects {
  server: string;
  version: string;
  nodes: V1Node[];
  pods: V1Pod[];
  events: CoreV1Event[];
  daemonSets: V1DaemonSet[];
  pvcs: V1PersistentVolumeClaim[];
}

/** One file of test/fixtures/doctor: the cluster's objects, AWS facts, and the findings expected. */
export interface Scenario {
  name: string;
  description: string;
  collectedAt: string;
  kubernetes: ScenarioObjects | { unreachable: KubeUnreachable };
  stacks: Partial<Record<TerraformStage, StackSummary>>;
  aws: AwsFacts;
  project: ClusterSnapshot["project"];
  options?: { namespace?: string; since?: string };
  expected: Array<{ code: string; resource: string; severity?: string }>;
  /** Text some finding's summary must contain. */
  expectedSummaries?: string[];
  /** Text some finding's evidence line must contain. */
  expectedEvidence?: string[];
}

export function scenarioNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.replace(/\.json$/, ""))
    .sort();
}

export function loadScenario(name: string): Scenario {
  return {
    name,
    ...(JSON.parse(readFileSync(path.join(DIR, `${name}.json`), "utf8")) as Omit<Scenario, "name">),
  };
}

/** The snapshot the collector would have built from the scenario's objects. */
export function snapshotOf(s: Scenario): ClusterSnapshot {
  const k = s.kubernetes;
  return {
    collectedAt: s.collectedAt,
    kubernetes:
      "unreachable" in k
        ? k
        : {
            server: k.server,
            controlPlaneVersion: k.version,
            nodes: k.nodes,
            pods: k.pods,
            events: indexEvents(k.events),
            daemonSets: k.daemonSets,
            pvcs: k.pvcs,
          },
    stacks: s.stacks,
    aws: s.aws,
    ...(s.project ? { project: s.project } : {}),
  };
}

export function ruleOptionsOf(s: Scenario, parseDuration: (t: string) => number | undefined): RuleOptions {
  return {
    ...(s.options?.namespace ? { namespace: s.options.namespace } : {}),
    ...(s.options?.since ? { sinceMs: parseDuration(s.options.since) } : {}),
  };
}

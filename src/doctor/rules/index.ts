import { type Finding, sortFindings } from "../finding.js";
import type { ClusterSnapshot } from "../snapshot.js";
import { containerStateRule, imagePullRule, podIpRule } from "./containers.js";
import { buildContext, type RuleOptions } from "./context.js";
import { gpuNotVisibleRule } from "./gpu.js";
import { kubeAccessRule } from "./kube.js";
import { notJoinedRule, notReadyRule, pressureRule, versionSkewRule } from "./nodes.js";
import { pendingRule } from "./pending.js";
import { clusterMissingRule, existsOutsideStateRule } from "./terraform.js";
import { versionSupportRule } from "./version.js";

export type { RuleOptions } from "./context.js";

const RULES = [
  kubeAccessRule,
  notReadyRule,
  pressureRule,
  versionSkewRule,
  notJoinedRule,
  gpuNotVisibleRule,
  pendingRule,
  podIpRule,
  imagePullRule,
  containerStateRule,
  clusterMissingRule,
  existsOutsideStateRule,
  versionSupportRule,
];

/** Pure: every rule over one snapshot, findings in a stable order. */
export function runRules(snapshot: ClusterSnapshot, options: RuleOptions = {}): Finding[] {
  const ctx = buildContext(snapshot, options);
  return sortFindings(RULES.flatMap((rule) => rule(ctx)));
}

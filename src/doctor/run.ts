import { resourceNames } from "../config/naming.js";
import type { Io } from "../io/io.js";
import { outputOf } from "../stages.js";
import type { Target } from "../targets.js";
import { createDoctorAws, type DoctorAws } from "./aws.js";
import { collectSnapshot } from "./collect.js";
import type { Finding } from "./finding.js";
import { plannedCreates } from "./planned-creates.js";
import { runRules } from "./rules/index.js";
import { isUnreachable } from "./snapshot.js";

export interface DoctorOptions {
  namespace?: string;
  sinceMs?: number;
  redact?: boolean;
}

export interface DoctorResult {
  findings: Finding[];
  /** What was looked at, for the human summary. */
  checked: { nodes: number; pods: number; events: number; kubernetes: boolean; stacks: number };
}

/** Collects once, runs the pure rules, redacts when asked. */
export async function runDoctor(
  target: Target,
  options: DoctorOptions,
  deps: { io: Io; aws?: DoctorAws },
): Promise<DoctorResult> {
  const aws = deps.aws ?? createDoctorAws(target.aws, target.config);
  const { config, rt, names, outputs } = target;
  const snapshot = await collectSnapshot({
    connectKube: () => target.connectKube(),
    aws,
    versionCatalog: async () => (await import("../versions/catalog.js")).loadVersionCatalog(target.aws),
    region: target.region,
    ...(rt
      ? {
          readStacks: async () => (await import("../terraform/state.js")).readAllStates(rt),
        }
      : {}),
    ...(config
      ? {
          plannedCreates: (states) =>
            plannedCreates(
              config,
              Object.fromEntries(Object.entries(states).map(([stage, s]) => [stage, s?.resources ?? []])),
            ),
        }
      : {}),
    project: {
      ...(names.cluster ? { clusterName: names.cluster } : {}),
      ...(names.gpuNodeGroup ? { gpuNodeGroupName: names.gpuNodeGroup } : {}),
      ...(config
        ? {
            nodeRoleName:
              outputOf<string>(outputs, "iam", "node_role_name") ?? resourceNames(config).nodeRole,
          }
        : {}),
      namespaces: [names.tritonNamespace, names.monitoringNamespace],
    },
    projectSubnets: outputOf<string[]>(outputs, "vpc", "private_subnet_ids") ?? [],
  });
  // Facts AWS could not give are named, so a silent gap (no credentials) is never read as "all fine".
  for (const note of aws.notes) deps.io.warn(note);
  let findings = runRules(snapshot, {
    ...(options.namespace ? { namespace: options.namespace } : {}),
    ...(options.sinceMs ? { sinceMs: options.sinceMs } : {}),
  });
  if (options.redact) findings = redactAccountIds(findings);
  const k = snapshot.kubernetes;
  return {
    findings,
    checked: isUnreachable(k)
      ? { nodes: 0, pods: 0, events: 0, kubernetes: false, stacks: Object.keys(snapshot.stacks ?? {}).length }
      : {
          nodes: k.nodes.length,
          pods: k.pods.length,
          events: Object.values(k.events).reduce((n, l) => n + l.length, 0),
          kubernetes: true,
          stacks: Object.keys(snapshot.stacks ?? {}).length,
        },
  };
}

const ACCOUNT_ID = /(?<![0-9])[0-9]{12}(?![0-9])/g;

/** Pure: every 12-digit account id in every string replaced (ARNs, ECR hosts, messages). */
export function redactAccountIds<T>(value: T): T {
  if (typeof value === "string") return value.replace(ACCOUNT_ID, "<account-id>") as T;
  if (Array.isArray(value)) return value.map((v) => redactAccountIds(v)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactAccountIds(v)])) as T;
  }
  return value;
}

/** Pure summaries of `terraform show -json PLANFILE` (the plan representation, format 1.x). */

export interface PlanResourceChange {
  address: string;
  type: string;
  name?: string;
  mode?: string;
  action_reason?: string;
  change: {
    actions: string[];
    before?: unknown;
    after?: unknown;
    after_unknown?: unknown;
    replace_paths?: unknown[][];
  };
}

export interface PlanJson {
  format_version?: string;
  resource_changes?: PlanResourceChange[];
  resource_drift?: PlanResourceChange[];
  output_changes?: Record<string, { actions: string[] }>;
  errored?: boolean;
}

export type ChangeKind = "create" | "update" | "replace" | "delete" | "read" | "no-op";

export interface PlannedChange {
  address: string;
  type: string;
  kind: ChangeKind;
  /** Why, in words: attributes forcing a replacement, or Terraform's action_reason. */
  reason: string | undefined;
  /** The planned values (for collision lookups); undefined for deletes. */
  after: Record<string, unknown> | undefined;
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  replace: number;
  /** Values Terraform can only know after apply (ids, ARNs, endpoints). */
  unknownAfterApply: number;
  drifted: number;
  changes: PlannedChange[];
  /** Nothing to do. */
  empty: boolean;
}

export function kindOf(actions: readonly string[]): ChangeKind {
  const set = new Set(actions);
  if (set.has("create") && set.has("delete")) return "replace";
  if (set.has("create")) return "create";
  if (set.has("delete")) return "delete";
  if (set.has("update")) return "update";
  if (set.has("read")) return "read";
  return "no-op";
}

/** Counts the `true` leaves of an after_unknown tree. */
export function countUnknown(value: unknown): number {
  if (value === true) return 1;
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + countUnknown(v), 0);
  if (value && typeof value === "object") {
    return Object.values(value).reduce<number>((n, v) => n + countUnknown(v), 0);
  }
  return 0;
}

const ACTION_REASONS: Record<string, string> = {
  replace_because_tainted: "tainted in state",
  replace_because_cannot_update: "a changed attribute cannot be updated in place",
  replace_by_request: "replacement requested",
  replace_by_triggers: "replace_triggered_by changed",
  delete_because_no_resource_config: "no longer in the configuration",
  delete_because_no_module: "its module was removed",
  delete_because_wrong_repetition: "count/for_each changed shape",
  delete_because_count_index: "count shrank",
  delete_because_each_key: "for_each key removed",
  delete_because_no_move_target: "moved target missing",
  read_because_config_unknown: "depends on values known only after apply",
  read_because_dependency_pending: "depends on pending changes",
};

function reasonFor(change: PlanResourceChange, kind: ChangeKind): string | undefined {
  if (kind === "replace" && change.change.replace_paths && change.change.replace_paths.length > 0) {
    const paths = change.change.replace_paths.map((p) => p.join(".")).join(", ");
    return `forces replacement: ${paths}`;
  }
  if (change.action_reason) return ACTION_REASONS[change.action_reason] ?? change.action_reason;
  return undefined;
}

export function summarizePlan(plan: PlanJson): PlanSummary {
  const summary: PlanSummary = {
    add: 0,
    change: 0,
    destroy: 0,
    replace: 0,
    unknownAfterApply: 0,
    drifted: plan.resource_drift?.length ?? 0,
    changes: [],
    empty: true,
  };
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === "data") continue;
    const kind = kindOf(rc.change.actions);
    if (kind === "no-op" || kind === "read") continue;
    if (kind === "create") summary.add += 1;
    if (kind === "update") summary.change += 1;
    if (kind === "delete") summary.destroy += 1;
    if (kind === "replace") {
      summary.replace += 1;
      summary.add += 1;
      summary.destroy += 1;
    }
    if (kind !== "delete") summary.unknownAfterApply += countUnknown(rc.change.after_unknown);
    const after =
      kind === "delete" || !rc.change.after || typeof rc.change.after !== "object"
        ? undefined
        : (rc.change.after as Record<string, unknown>);
    summary.changes.push({ address: rc.address, type: rc.type, kind, reason: reasonFor(rc, kind), after });
  }
  const outputsChange = Object.values(plan.output_changes ?? {}).some((o) => kindOf(o.actions) !== "no-op");
  summary.empty = summary.changes.length === 0 && !outputsChange;
  return summary;
}

/** Number of apply hooks Terraform will report (a replacement is a delete and a create). */
export function operationCount(summary: PlanSummary): number {
  return summary.changes.reduce((n, c) => n + (c.kind === "replace" ? 2 : 1), 0);
}

export interface SummaryStyle {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
}

const MARK: Record<ChangeKind, string> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
  read: "<=",
  "no-op": " ",
};

/** The human summary: counts, then one line per change; replacements and destroys in red. */
export function formatPlanSummary(stage: string, summary: PlanSummary, style: SummaryStyle): string {
  if (summary.empty) return `${stage}: no changes.`;
  const counts = [
    `${summary.add} to add`,
    `${summary.change} to change`,
    summary.destroy > 0 ? style.red(`${summary.destroy} to destroy`) : `${summary.destroy} to destroy`,
  ];
  if (summary.replace > 0) counts.push(style.red(`${summary.replace} replaced`));
  const lines = [
    `${stage}: ${counts.join(", ")}; ${summary.unknownAfterApply} values known only after apply.`,
  ];
  if (summary.drifted > 0)
    lines.push(style.yellow(`  ${summary.drifted} resource(s) drifted outside Terraform.`));
  for (const c of summary.changes) {
    const text = `  ${MARK[c.kind].padEnd(3)} ${c.address}${c.reason ? style.dim(`  (${c.reason})`) : ""}`;
    lines.push(
      c.kind === "replace" || c.kind === "delete"
        ? style.red(text)
        : c.kind === "create"
          ? style.green(text)
          : text,
    );
  }
  return lines.join("\n");
}

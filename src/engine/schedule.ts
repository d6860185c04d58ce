import { UserError } from "../errors.js";
import { STAGE_DEFINITIONS, STAGES, type StageName } from "../stages.js";

/** "all", "vpc", "iam,ecr" -> stage names in pipeline order; unknown names are a usage error. */
export function parseStageSelection(spec: string | undefined, fallback: "all" | "none" = "all"): StageName[] {
  if (spec === undefined || spec.trim() === "") return fallback === "all" ? [...STAGES] : [];
  const names = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.includes("all")) {
    if (names.length > 1) {
      throw new UserError(`--stage all cannot be combined with other stages (got "${spec}").`, {
        code: "usage.stage",
      });
    }
    return [...STAGES];
  }
  for (const name of names) {
    if (!(STAGES as readonly string[]).includes(name)) {
      throw new UserError(`Unknown stage "${name}"; stages are ${STAGES.join(", ")} (or all).`, {
        code: "usage.stage",
      });
    }
  }
  return STAGES.filter((s) => names.includes(s));
}

/** Stages needed by the selection but not in it: they must already be applied. */
export function externalNeeds(selected: readonly StageName[]): StageName[] {
  const chosen = new Set(selected);
  const needs = new Set<StageName>();
  for (const stage of selected)
    for (const need of STAGE_DEFINITIONS[stage].needs) if (!chosen.has(need)) needs.add(need);
  return STAGES.filter((s) => needs.has(s));
}

/** Stages that may start now: selected, not started, every selected need finished successfully. */
export function readyToStart(
  selected: readonly StageName[],
  started: ReadonlySet<StageName>,
  succeeded: ReadonlySet<StageName>,
): StageName[] {
  const chosen = new Set(selected);
  return selected.filter(
    (stage) =>
      !started.has(stage) &&
      STAGE_DEFINITIONS[stage].needs.every((need) => !chosen.has(need) || succeeded.has(need)),
  );
}

/** Stages that can never start because a selected need failed or was declined. */
export function blockedBy(
  selected: readonly StageName[],
  started: ReadonlySet<StageName>,
  stopped: ReadonlySet<StageName>,
): Map<StageName, StageName> {
  const blocked = new Map<StageName, StageName>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const stage of selected) {
      if (started.has(stage) || blocked.has(stage)) continue;
      const culprit = STAGE_DEFINITIONS[stage].needs.find((n) => stopped.has(n) || blocked.has(n));
      if (culprit) {
        blocked.set(stage, blocked.get(culprit) ?? culprit);
        changed = true;
      }
    }
  }
  return blocked;
}

/** Destroy order: a stage goes only after every stage that needs it. */
export function readyToDestroy(
  selected: readonly StageName[],
  started: ReadonlySet<StageName>,
  destroyed: ReadonlySet<StageName>,
): StageName[] {
  return selected.filter(
    (stage) =>
      !started.has(stage) &&
      selected.every((other) => !STAGE_DEFINITIONS[other].needs.includes(stage) || destroyed.has(other)),
  );
}

/** Applied stages outside the selection that still depend on a stage being destroyed. */
export function dependentsLeft(
  selected: readonly StageName[],
  applied: ReadonlySet<StageName>,
): Array<{ stage: StageName; needs: StageName }> {
  const chosen = new Set(selected);
  const out: Array<{ stage: StageName; needs: StageName }> = [];
  for (const stage of STAGES) {
    if (chosen.has(stage) || !applied.has(stage)) continue;
    const need = STAGE_DEFINITIONS[stage].needs.find((n) => chosen.has(n));
    if (need) out.push({ stage, needs: need });
  }
  return out;
}

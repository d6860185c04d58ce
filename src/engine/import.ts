import { AbortError, UserError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import type { StageName } from "../stages.js";
import { type Collision, refusalReason } from "../terraform/collisions.js";
import { runRecordPath } from "../terraform/run-record.js";
import { createTerraformRunner, logFile, stackDir } from "../terraform/workspace.js";
import { formatCollisions, runPlan } from "./plan.js";

export interface ImportResult {
  imported: Array<Collision & { stage: StageName }>;
  failed: Array<Collision & { stage: StageName; error: string }>;
  /** Not the project's by the ownership rule (or unknown): never imported. */
  refused: Array<Collision & { stage: StageName; reason: string }>;
}

/** Plans, lists the collisions, asks once, then imports each into its stack's state. */
export async function runImport(rt: Runtime, stages: StageName[], yes: boolean): Promise<ImportResult> {
  const plan = await runPlan(rt, stages);
  const result: ImportResult = { imported: [], failed: [], refused: [] };
  const work = plan.stages.filter((s) => s.collisions.length > 0);
  if (work.length === 0) return result;
  for (const stage of work) rt.io.info(formatCollisions(stage.stage, stage.collisions, rt.io));
  const adoptable = work.reduce(
    (n, s) => n + s.collisions.filter((c) => refusalReason(c) === undefined).length,
    0,
  );
  if (!yes && adoptable > 0) {
    if (!rt.io.interactive) {
      throw new UserError("There are resources to import and no terminal to confirm it.", {
        code: "prompt.no-tty",
        suggestion: "Re-run with --yes.",
      });
    }
    if (!(await rt.io.confirm(`Import ${adoptable} existing resource(s) into Terraform state?`))) {
      throw new AbortError("Nothing imported.");
    }
  }
  const tf = await createTerraformRunner(rt);
  for (const stage of work) {
    if (stage.stage === "workloads") continue;
    const dir = stackDir(rt.envDir, stage.stage);
    // Imports into one state must run one at a time: each takes the state lock.
    for (const collision of stage.collisions) {
      const refused = refusalReason(collision);
      if (refused) {
        // The one ownership rule: another project's resource is never adopted (its down would delete it).
        result.refused.push({ ...collision, stage: stage.stage, reason: refused });
        rt.io.error(`${stage.stage}: will not import ${collision.address} (${collision.name}): ${refused}`);
        continue;
      }
      try {
        await tf.run(
          ["import", "-input=false", "-lock-timeout=60s", "-no-color", collision.address, collision.importId],
          {
            cwd: dir,
            logFile: logFile(rt.envDir, stage.stage, "import"),
            record: { file: runRecordPath(rt.envDir, stage.stage), stage: stage.stage },
          },
        );
        result.imported.push({ ...collision, stage: stage.stage });
        rt.io.success(`${stage.stage}: imported ${collision.address}`);
      } catch (error) {
        result.failed.push({
          ...collision,
          stage: stage.stage,
          error: error instanceof Error ? error.message : String(error),
        });
        rt.io.error(`${stage.stage}: could not import ${collision.address}`);
      }
    }
  }
  return result;
}

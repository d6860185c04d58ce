import { AbortError, UserError } from "../errors.js";
import type { Runtime } from "../runtime.js";
import type { StageName } from "../stages.js";
import type { Collision } from "../terraform/collisions.js";
import { runRecordPath } from "../terraform/run-record.js";
import { createTerraformRunner, logFile, stackDir } from "../terraform/workspace.js";
import { formatCollisions, runPlan } from "./plan.js";

export interface ImportResult {
  imported: Array<Collision & { stage: StageName }>;
  failed: Array<Collision & { stage: StageName; error: string }>;
}

/** Plans, lists the collisions, asks once, then imports each into its stack's state. */
export async function runImport(rt: Runtime, stages: StageName[], yes: boolean): Promise<ImportResult> {
  const plan = await runPlan(rt, stages);
  const result: ImportResult = { imported: [], failed: [] };
  const work = plan.stages.filter((s) => s.collisions.length > 0);
  if (work.length === 0) return result;
  for (const stage of work) rt.io.info(formatCollisions(stage.stage, stage.collisions, rt.io));
  if (!yes) {
    if (!rt.io.interactive) {
      throw new UserError("There are resources to import and no terminal to confirm it.", {
        code: "prompt.no-tty",
        suggestion: "Re-run with --yes.",
      });
    }
    if (!(await rt.io.confirm(`Import ${plan.collisions} existing resource(s) into Terraform state?`))) {
      throw new AbortError("Nothing imported.");
    }
  }
  const tf = await createTerraformRunner(rt);
  for (const stage of work) {
    if (stage.stage === "workloads") continue;
    const dir = stackDir(rt.envDir, stage.stage);
    // Imports into one state must run one at a time: each takes the state lock.
    for (const collision of stage.collisions) {
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

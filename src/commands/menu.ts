import type { CliContext } from "../context.js";
import { createIo } from "./shared.js";

/** With no arguments in a terminal: pick what to do; each item runs the same code as the subcommand. */
export const MENU_ITEMS: Array<{ name: string; args: string[]; description: string }> = [
  { name: "init", args: ["init"], description: "create triton-ops.yaml" },
  { name: "plan all stages", args: ["plan", "--stage", "all"], description: "what `up` would change" },
  { name: "up all stages", args: ["up", "--stage", "all"], description: "apply vpc -> workloads" },
  { name: "status", args: ["status"], description: "stages, resources, key outputs" },
  { name: "verify", args: ["verify"], description: "is the platform healthy?" },
  { name: "doctor", args: ["doctor"], description: "diagnose what is wrong and how to fix it" },
  { name: "orphan-scan", args: ["orphan-scan"], description: "what failed runs left behind, and its cost" },
  { name: "cleanup (dry run)", args: ["cleanup", "--orphans"], description: "what cleanup would delete" },
];

export async function runMenu(ctx: CliContext, run: (args: string[]) => Promise<number>): Promise<number> {
  const io = createIo(ctx, {});
  const args = await io.select(
    "What do you want to do?",
    MENU_ITEMS.map((item) => ({ name: item.name, value: item.args, description: item.description })),
  );
  return run(args);
}

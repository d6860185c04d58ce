import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions } from "./shared.js";

export function renderCommand(ctx: CliContext): Command {
  return new Command("render")
    .description("render the Kubernetes manifests of the workloads stage (for review or GitOps)")
    .option("-o, --out <dir>", "write them as files under DIR instead of printing them")
    .option("--json", "print a summary as JSON")
    .action(async (flags: { out?: string; json?: boolean }, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const [{ createRuntime }, { runRender }] = await Promise.all([
        import("../runtime.js"),
        import("../engine/render-command.js"),
      ]);
      const rt = await createRuntime(ctx, command, io);
      const result = await runRender(rt, flags.out ? { outDir: flags.out } : {});
      for (const warning of result.warnings) io.warn(`render: ${warning}`);
      io.info(result.note);
      if (result.outDir)
        io.success(`Wrote ${result.objects} objects in ${result.files.length} files under ${result.outDir}.`);
      io.result(flags.json ? { ...result, yaml: undefined } : result, () => result.yaml ?? "");
    });
}

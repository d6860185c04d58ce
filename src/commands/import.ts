import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions, setExitCode } from "./shared.js";

export function importCommand(ctx: CliContext): Command {
  return new Command("import")
    .description(
      "adopt resources that already exist in AWS under the names a stage would create (terraform import)",
    )
    .option("-s, --stage <names>", "stage(s) to look at, comma-separated, or all", "all")
    .option("-y, --yes", "import without asking")
    .option("--json", "print what was imported as JSON")
    .action(async (flags: { stage?: string; yes?: boolean; json?: boolean }, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const [{ parseStageSelection }, { createRuntime }, { runImport }] = await Promise.all([
        import("../engine/schedule.js"),
        import("../runtime.js"),
        import("../engine/import.js"),
      ]);
      const rt = await createRuntime(ctx, command, io);
      const result = await runImport(rt, parseStageSelection(flags.stage), flags.yes === true);
      io.result(result, () =>
        result.imported.length === 0 && result.failed.length === 0 && result.refused.length === 0
          ? "Nothing to import: no planned resource already exists in AWS."
          : [
              ...result.imported.map((i) => `imported ${i.address} <- ${i.importId}`),
              ...result.refused.map((r) => `REFUSED ${r.address} (${r.name}): ${r.reason}`),
              ...result.failed.map((f) => `FAILED ${f.address}: ${f.error}`),
            ].join("\n"),
      );
      if (result.failed.length > 0) setExitCode(command, 3);
      else if (result.refused.length > 0) setExitCode(command, 2);
    });
}

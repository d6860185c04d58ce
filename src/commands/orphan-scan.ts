import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions, setExitCode } from "./shared.js";

interface OrphanScanFlags {
  regions?: string;
  allRegions?: boolean;
  json?: boolean;
}

export function orphanScanCommand(ctx: CliContext): Command {
  return new Command("orphan-scan")
    .description("find the project's AWS resources that no Terraform state holds, and what they cost")
    .option("--regions <list>", "regions to scan, comma-separated (default: the config's region)")
    .option("--all-regions", "scan every region enabled in the account")
    .option("--json", "print the resources as JSON")
    .action(async (flags: OrphanScanFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const [{ createRuntime }, scan] = await Promise.all([
        import("../runtime.js"),
        import("../orphans/scan.js"),
      ]);
      // Bad flags are refused before anything starts (the sandbox included).
      scan.parseRegions({ regions: flags.regions, allRegions: flags.allRegions }, "us-east-1");
      const rt = await createRuntime(ctx, command, io);
      scan.requireProject(rt);
      const regions = await scan.resolveRegions(rt, { regions: flags.regions, allRegions: flags.allRegions });
      const result = await scan.runOrphanScan(rt, regions);
      io.result(scan.scanJson(result), () => scan.formatScan(result, io));
      setExitCode(command, result.orphans > 0 ? 1 : 0);
    });
}

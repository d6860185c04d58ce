import { Command } from "commander";
import type { CliContext } from "../context.js";
import { UserError } from "../errors.js";
import { createIo, globalOptions, setExitCode } from "./shared.js";

interface CleanupFlags {
  orphans?: boolean;
  role?: string;
  ecr?: string;
  regions?: string;
  allRegions?: boolean;
  yes?: boolean;
  confirmAccount?: string;
  allowProd?: boolean;
  wait?: string;
  json?: boolean;
}

export function cleanupCommand(ctx: CliContext): Command {
  return new Command("cleanup")
    .description("delete the project's orphans, one IAM role, or one ECR repository (a dry run unless --yes)")
    .option("--orphans", "every orphan and leftover orphan-scan finds, in dependency order")
    .option("--role <name>", "one IAM role: detach and delete its policies, its instance profiles, the role")
    .option("--ecr <repository>", "one ECR repository: every image, then the repository")
    .option(
      "--regions <list>",
      "with --orphans: regions to clean, comma-separated (default: the config's region)",
    )
    .option("--all-regions", "with --orphans: every region enabled in the account")
    .option("-y, --yes", "delete (after a confirmation in a terminal); without it nothing is changed")
    .option(
      "--confirm-account <id>",
      "without a terminal: the account id, needed with --yes above 10 resources",
    )
    .option("--allow-prod", "clean an account whose alias contains 'prod'")
    .option(
      "--wait <seconds>",
      "longest wait for one deletion or a dependency to go (NAT gateways, node groups)",
      "900",
    )
    .option("--json", "print the summary as JSON")
    .action(async (flags: CleanupFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const chosen = [
        flags.orphans && "--orphans",
        flags.role !== undefined && "--role",
        flags.ecr !== undefined && "--ecr",
      ].filter(Boolean);
      if (chosen.length !== 1) {
        throw new UserError(
          chosen.length === 0
            ? "cleanup needs one of --orphans, --role NAME or --ecr REPOSITORY."
            : `${chosen.join(" and ")} exclude each other.`,
          {
            code: "cleanup.target",
            suggestion: "Run `triton-ops cleanup --orphans` for a dry run of everything orphan-scan finds.",
          },
        );
      }
      if (!flags.orphans && (flags.regions !== undefined || flags.allRegions)) {
        throw new UserError("--regions and --all-regions go with --orphans only.", {
          code: "cleanup.target",
        });
      }
      if (flags.confirmAccount !== undefined && !/^[0-9]{12}$/.test(flags.confirmAccount)) {
        throw new UserError(`--confirm-account "${flags.confirmAccount}" is not a 12-digit account id.`, {
          code: "cleanup.bad-account",
        });
      }
      const waitSeconds = Number(flags.wait ?? "900");
      if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 7200) {
        throw new UserError(`--wait "${flags.wait}" must be a whole number of seconds from 0 to 7200.`, {
          code: "cleanup.bad-wait",
        });
      }
      const [{ createRuntime }, scan, cleanup] = await Promise.all([
        import("../runtime.js"),
        import("../orphans/scan.js"),
        import("../orphans/cleanup.js"),
      ]);
      if (flags.orphans)
        scan.parseRegions({ regions: flags.regions, allRegions: flags.allRegions }, "us-east-1");
      const rt = await createRuntime(ctx, command, io);
      scan.requireProject(rt);
      const target = flags.orphans
        ? {
            kind: "orphans" as const,
            regions: await scan.resolveRegions(rt, { regions: flags.regions, allRegions: flags.allRegions }),
          }
        : flags.role !== undefined
          ? { kind: "role" as const, name: flags.role }
          : { kind: "ecr" as const, name: flags.ecr ?? "" };
      const result = await cleanup.runCleanup(rt, {
        target,
        yes: flags.yes === true,
        allowProd: flags.allowProd === true,
        teardown: { waitMs: waitSeconds * 1000 },
        ...(flags.confirmAccount !== undefined ? { confirmAccount: flags.confirmAccount } : {}),
      });
      io.result(result, () => cleanup.formatCleanup(result, io));
      setExitCode(command, result.interrupted ? 130 : result.failed > 0 ? 3 : 0);
    });
}

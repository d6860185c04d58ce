import { Command, CommanderError } from "commander";
import { commandFactories } from "./commands/index.js";
import { exitCodeOf } from "./commands/shared.js";
import type { CliContext } from "./context.js";
import { ExitCode, TritonOpsError } from "./errors.js";
import { redactSecrets } from "./io/redact.js";
import { VERSION } from "./version.js";

export function buildProgram(ctx: CliContext): Command {
  const program = new Command("triton-ops")
    .description("Stand up and operate NVIDIA Triton Inference Server on AWS EKS with GPU nodes.")
    .version(VERSION, "-V, --version")
    .option("-c, --config <file>", "project config file (default: ./triton-ops.yaml)")
    .option("--sandbox", "run against the local AWS emulator instead of AWS")
    .option("--region <region>", "AWS region (overrides the config)")
    .option("--env <environment>", "environment name (overrides the config)")
    .option("-v, --verbose", "debug logs, and stack traces for errors")
    .option("--no-color", "no colour in output (NO_COLOR is honoured too)")
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => ctx.stdout.write(text),
      writeErr: (text) => ctx.stderr.write(text),
    })
    .exitOverride();
  for (const factory of commandFactories) program.addCommand(factory(ctx));
  // addCommand() does not pass settings down, so every command and subcommand gets them here:
  // usage errors must go to the context's stderr and come back as exit codes, not process.exit.
  const configure = (command: Command) => {
    command
      .exitOverride()
      .showSuggestionAfterError(true)
      .configureOutput({
        writeOut: (text) => ctx.stdout.write(text),
        writeErr: (text) => ctx.stderr.write(text),
      });
    for (const sub of command.commands) configure(sub);
  };
  for (const command of program.commands) configure(command);
  return program;
}

/** Runs the CLI and returns the exit code; never calls process.exit (the bin does). */
export async function main(argv: string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  const verbose = argv.includes("-v") || argv.includes("--verbose");
  try {
    if (argv.length === 0) {
      if (ctx.stdinIsTTY && ctx.stderrIsTTY) {
        const { runMenu } = await import("./commands/menu.js");
        return await runMenu(ctx, (args) => main(args, ctx));
      }
      program.outputHelp({ error: true });
      return ExitCode.usage;
    }
    await program.parseAsync(argv, { from: "user" });
    return exitCodeOf(program);
  } catch (error) {
    return reportError(error, ctx, verbose);
  }
}

export function reportError(error: unknown, ctx: CliContext, verbose: boolean): number {
  if (error instanceof CommanderError) {
    if (
      error.code === "commander.helpDisplayed" ||
      error.code === "commander.version" ||
      error.code === "commander.help"
    ) {
      return ExitCode.ok;
    }
    // commander has already printed its one line.
    return ExitCode.usage;
  }
  if (error instanceof TritonOpsError) {
    ctx.stderr.write(`${redactSecrets(`Error: ${error.message}`)}\n`);
    if (error.suggestion) ctx.stderr.write(`${redactSecrets(`  ${error.suggestion}`)}\n`);
    if (verbose && error.cause instanceof Error && error.cause.stack) {
      ctx.stderr.write(`${redactSecrets(error.cause.stack)}\n`);
    }
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.stderr.write(`${redactSecrets(`Error: unexpected failure: ${message}`)}\n`);
  if (verbose && error instanceof Error && error.stack) ctx.stderr.write(`${redactSecrets(error.stack)}\n`);
  else ctx.stderr.write("  Re-run with --verbose for details, and report it if it persists.\n");
  return ExitCode.external;
}

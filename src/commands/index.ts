import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { sandboxCommand } from "./sandbox.js";

/** Every command, in the order `--help` lists them. Each file loads its heavy code lazily. */
export const commandFactories: Array<(ctx: CliContext) => Command> = [sandboxCommand];

import type { Prompter, Writer } from "./io/terminal.js";
import type { Interrupts } from "./signals.js";

/** Everything a command may touch of the outside world, so tests can run the CLI in-process. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Writer;
  stderr: Writer;
  /** A person is at the keyboard: stdin and stderr are terminals. */
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
  interrupts: Interrupts;
  /** Scripted answers in tests; @inquirer/prompts otherwise. */
  prompter?: Prompter;
  /** Command used in generated kubeconfigs to call back into this CLI. */
  selfCommand?: string[];
}

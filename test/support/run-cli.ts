import { main } from "../../src/cli.js";
import type { CliContext } from "../../src/context.js";
import type { SelectChoice } from "../../src/io/io.js";
import type { Prompter } from "../../src/io/terminal.js";
import { Interrupts } from "../../src/signals.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Questions asked, in order. */
  asked: string[];
}

/** One scripted answer: the question must match, so a test fails when the CLI asks something else. */
export interface ScriptedAnswer {
  question: RegExp;
  answer: boolean | string | ((choices: SelectChoice<unknown>[]) => unknown);
}

export class ScriptedPrompter implements Prompter {
  readonly asked: string[] = [];
  constructor(private readonly answers: ScriptedAnswer[]) {}

  private next(message: string): ScriptedAnswer["answer"] {
    this.asked.push(message);
    const expected = this.answers.shift();
    if (!expected) throw new Error(`unexpected question: ${message}`);
    if (!expected.question.test(message))
      throw new Error(`asked "${message}", expected ${expected.question}`);
    return expected.answer;
  }
  async confirm(message: string): Promise<boolean> {
    return this.next(message) as boolean;
  }
  async select<T>(message: string, choices: SelectChoice<T>[]): Promise<T> {
    const answer = this.next(message);
    if (typeof answer === "function") return answer(choices as SelectChoice<unknown>[]) as T;
    const choice = choices.find((c) => c.value === answer || c.name === answer);
    if (!choice) throw new Error(`no choice ${String(answer)} for "${message}"`);
    return choice.value;
  }
  async input(
    message: string,
    defaultValue: string | undefined,
    validate?: (v: string) => true | string,
  ): Promise<string> {
    const answer = this.next(message);
    const value = answer === "" && defaultValue !== undefined ? defaultValue : String(answer);
    const verdict = validate?.(value);
    if (verdict !== undefined && verdict !== true) throw new Error(`answer "${value}" rejected: ${verdict}`);
    return value;
  }
  get remaining(): number {
    return this.answers.length;
  }
}

export interface RunCliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  answers?: ScriptedAnswer[];
  tty?: boolean;
}

/** Splits like a shell for simple cases: quotes group words. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? "");
  return out;
}

/** Runs the whole CLI in-process and captures what it prints: tests assert on stdout, stderr and exit code. */
export async function runCli(args: string | string[], options: RunCliOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const prompter = options.answers ? new ScriptedPrompter([...options.answers]) : undefined;
  const ctx: CliContext = {
    cwd: options.cwd ?? process.cwd(),
    env: { ...(options.env ?? process.env), CI: options.tty ? "" : "true" },
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdinIsTTY: options.tty ?? false,
    stderrIsTTY: options.tty ?? false,
    interrupts: new Interrupts(),
    ...(prompter ? { prompter } : {}),
    selfCommand: ["triton-ops"],
  };
  const code = await main(typeof args === "string" ? splitArgs(args) : args, ctx);
  if (prompter && prompter.remaining > 0)
    throw new Error(`${prompter.remaining} scripted answer(s) were never asked`);
  return { code, stdout, stderr, asked: prompter?.asked ?? [] };
}

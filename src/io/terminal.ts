import { createRequire } from "node:module";
import { AbortError } from "../errors.js";
import type { Io, ProgressLine, SelectChoice, Style, TableColumn } from "./io.js";
import { redactSecrets } from "./redact.js";

export interface Prompter {
  confirm(message: string, defaultValue: boolean): Promise<boolean>;
  select<T>(message: string, choices: SelectChoice<T>[]): Promise<T>;
  input(
    message: string,
    defaultValue: string | undefined,
    validate?: (value: string) => true | string,
  ): Promise<string>;
}

export interface Writer {
  write(chunk: string): unknown;
}

export interface TerminalIoOptions {
  stdout: Writer;
  stderr: Writer;
  json: boolean;
  verbose: boolean;
  color: boolean;
  /** A person can answer prompts: stdin and stderr are TTYs, not CI, not --json. */
  interactive: boolean;
  /** Live progress lines: stderr is a TTY and not CI. */
  live: boolean;
  prompter?: Prompter;
}

/** Prompts through @inquirer/prompts, loaded only when a question is actually asked. */
export const inquirerPrompter: Prompter = {
  async confirm(message, defaultValue) {
    const { confirm } = await import("@inquirer/prompts");
    return confirm({ message, default: defaultValue }, { output: process.stderr });
  },
  async select(message, choices) {
    const { select } = await import("@inquirer/prompts");
    return select({ message, choices }, { output: process.stderr });
  },
  async input(message, defaultValue, validate) {
    const { input } = await import("@inquirer/prompts");
    return input(
      {
        message,
        ...(defaultValue === undefined ? {} : { default: defaultValue }),
        ...(validate ? { validate } : {}),
      },
      { output: process.stderr },
    );
  },
};

// Taken as the CommonJS object, like node:fs in node-support.ts: an ESM import of node:util would run all its
// lazy getters on every start.
const { stripVTControlCharacters } = process.getBuiltinModule("node:util");

const plainStyle: Style = {
  red: (t) => t,
  green: (t) => t,
  yellow: (t) => t,
  dim: (t) => t,
  bold: (t) => t,
};

/**
 * chalk is loaded only when there is colour to draw. Importing it costs about 20 ms of start-up (its
 * terminal detection runs at import, and we always pass the level ourselves), a fifth of what `--help` may
 * take on Node 26; piped, CI and --json runs never need it. Node 20.19 and later can require() it.
 */
function colorStyle(): Style {
  const { Chalk } = createRequire(import.meta.url)("chalk") as typeof import("chalk");
  const chalk = new Chalk({ level: 1 });
  return {
    red: (t) => chalk.red(t),
    green: (t) => chalk.green(t),
    yellow: (t) => chalk.yellow(t),
    dim: (t) => chalk.dim(t),
    bold: (t) => chalk.bold(t),
  };
}

export class TerminalIo implements Io {
  readonly json: boolean;
  readonly interactive: boolean;
  readonly verbose: boolean;
  readonly style: Style;
  private readonly out: Writer;
  private readonly err: Writer;
  private readonly live: boolean;
  private readonly prompter: Prompter;
  private readonly board = new Map<string, string>();
  private boardShown = false;

  constructor(options: TerminalIoOptions) {
    this.out = options.stdout;
    this.err = options.stderr;
    this.json = options.json;
    this.verbose = options.verbose;
    this.interactive = options.interactive;
    this.live = options.live;
    this.prompter = options.prompter ?? inquirerPrompter;
    this.style = options.color ? colorStyle() : plainStyle;
  }

  private line(text: string): void {
    this.clearBoard();
    this.err.write(`${redactSecrets(text)}\n`);
    this.drawBoard();
  }

  info(message: string): void {
    this.line(message);
  }
  warn(message: string): void {
    this.line(this.style.yellow(`! ${message}`));
  }
  error(message: string): void {
    this.line(this.style.red(`✖ ${message}`));
  }
  success(message: string): void {
    this.line(this.style.green(`✔ ${message}`));
  }
  debug(message: string): void {
    if (this.verbose) this.line(this.style.dim(message));
  }

  result(data: unknown, human: () => string): void {
    this.clearBoard();
    if (this.json) {
      this.out.write(`${JSON.stringify(data, null, 2)}\n`);
    } else {
      const text = human();
      if (text.length > 0) this.out.write(text.endsWith("\n") ? text : `${text}\n`);
    }
    this.drawBoard();
  }

  table(columns: TableColumn[], rows: string[][]): string {
    return renderTable(columns, rows, this.style);
  }

  progress(key: string): ProgressLine {
    return {
      update: (text) => {
        if (!this.live) return;
        this.board.set(key, text);
        this.clearBoard();
        this.drawBoard();
      },
      done: (text, status) => {
        this.board.delete(key);
        const mark =
          status === "success"
            ? this.style.green("✔")
            : status === "fail"
              ? this.style.red("✖")
              : this.style.yellow("-");
        this.line(`${mark} ${text}`);
      },
    };
  }

  async confirm(message: string, options: { default?: boolean } = {}): Promise<boolean> {
    this.requireInteractive(message);
    this.clearBoard();
    return this.prompter.confirm(message, options.default ?? false);
  }

  async select<T>(message: string, choices: SelectChoice<T>[]): Promise<T> {
    this.requireInteractive(message);
    this.clearBoard();
    return this.prompter.select(message, choices);
  }

  async input(
    message: string,
    options: { default?: string; validate?: (value: string) => true | string } = {},
  ): Promise<string> {
    this.requireInteractive(message);
    this.clearBoard();
    return this.prompter.input(message, options.default, options.validate);
  }

  private requireInteractive(question: string): void {
    if (!this.interactive) {
      throw new AbortError(`Refusing to wait for an answer without a terminal: ${question}`, {
        code: "prompt.no-tty",
        suggestion: "Re-run with --yes to accept, or in an interactive terminal.",
      });
    }
  }

  private clearBoard(): void {
    if (this.boardShown) {
      this.err.write("\r\x1b[2K");
      this.boardShown = false;
    }
  }

  private drawBoard(): void {
    if (!this.live || this.board.size === 0) return;
    const text = [...this.board.entries()].map(([k, v]) => `${this.style.bold(k)} ${v}`).join("  │  ");
    const width = Number(process.stderr.columns ?? 120);
    this.err.write(text.length > width ? `${text.slice(0, width - 1)}…` : text);
    this.boardShown = true;
  }
}

export function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}

/** Plain aligned table; cells may carry colour. */
export function renderTable(columns: TableColumn[], rows: string[][], style?: Style): string {
  const widths = columns.map((c, i) =>
    Math.max(visibleLength(c.header), ...rows.map((r) => visibleLength(r[i] ?? ""))),
  );
  const pad = (cell: string, i: number) => {
    const gap = " ".repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(cell)));
    return columns[i]?.align === "right" ? gap + cell : cell + gap;
  };
  const header = columns.map((c, i) => pad(c.header, i)).join("  ");
  const lines = [style ? style.bold(header) : header];
  for (const row of rows)
    lines.push(
      columns
        .map((_, i) => pad(row[i] ?? "", i))
        .join("  ")
        .trimEnd(),
    );
  return lines.join("\n");
}

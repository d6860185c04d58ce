/** The one output interface every command talks to: a terminal version, and a recording one for tests. */
export interface TableColumn {
  header: string;
  /** Right-align numbers. */
  align?: "left" | "right";
}

export interface ProgressLine {
  /** Replace the live line for this key (a stage name); no-op without a TTY. */
  update(text: string): void;
  /** Finish the line with a final message printed once. */
  done(text: string, status: "success" | "fail" | "skip"): void;
}

export interface SelectChoice<T> {
  name: string;
  value: T;
  description?: string;
}

export interface Io {
  readonly json: boolean;
  readonly interactive: boolean;
  readonly verbose: boolean;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  success(message: string): void;
  debug(message: string): void;
  /** The command's result: JSON document with --json, otherwise the human rendering. */
  result(data: unknown, human: () => string): void;
  table(columns: TableColumn[], rows: string[][]): string;
  progress(key: string): ProgressLine;
  /** Asks yes/no; throws AbortError when there is no TTY to ask on. */
  confirm(message: string, options?: { default?: boolean }): Promise<boolean>;
  select<T>(message: string, choices: SelectChoice<T>[]): Promise<T>;
  input(
    message: string,
    options?: { default?: string; validate?: (value: string) => true | string },
  ): Promise<string>;
  /** Colour helpers that turn into identity functions when colour is off. */
  readonly style: Style;
}

export interface Style {
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

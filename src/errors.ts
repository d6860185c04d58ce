/** Documented exit codes; src/errors.test.ts holds the README's "Exit codes" table to this one. */
export const ExitCode = {
  ok: 0,
  /** Checks failed, findings reported, or the user declined a confirmation. */
  findings: 1,
  /** Bad usage or bad configuration: nothing was changed. */
  usage: 2,
  /** AWS, Terraform or Kubernetes failed underneath us. */
  external: 3,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  /** Stable machine-readable code, e.g. "config.invalid". */
  code: string;
  /** What to do about it, one line. */
  suggestion?: string;
  cause?: unknown;
}

/** Base of every error we expect; anything else is a bug and gets a stack trace with --verbose. */
export class TritonOpsError extends Error {
  readonly code: string;
  readonly suggestion: string | undefined;
  readonly exitCode: ExitCodeValue;

  constructor(message: string, exitCode: ExitCodeValue, details: ErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = details.code;
    this.suggestion = details.suggestion;
    this.exitCode = exitCode;
  }
}

/** The user's input or configuration is wrong. */
export class UserError extends TritonOpsError {
  constructor(message: string, details: ErrorDetails) {
    super(message, ExitCode.usage, details);
  }
}

/** AWS, Terraform or the Kubernetes API failed. */
export class ExternalError extends TritonOpsError {
  constructor(message: string, details: ErrorDetails) {
    super(message, ExitCode.external, details);
  }
}

/** The user said no, or there was nobody to ask. */
export class AbortError extends TritonOpsError {
  constructor(message: string, details: ErrorDetails = { code: "aborted" }) {
    super(message, ExitCode.findings, details);
  }
}

export class InterruptedError extends TritonOpsError {
  constructor(message = "Interrupted.", details: ErrorDetails = { code: "interrupted" }) {
    super(message, ExitCode.interrupted, details);
  }
}

/** Reads the error name of an AWS SDK v3 failure without importing the SDK. */
export function awsErrorName(error: unknown): string | undefined {
  if (error && typeof error === "object" && "name" in error && typeof error.name === "string") {
    return error.name;
  }
  return undefined;
}

/** Message of anything thrown, for one-line reports. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

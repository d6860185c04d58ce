import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { ExternalError, InterruptedError, UserError } from "../errors.js";
import { writeFileAtomic } from "../fs-util.js";
import type { Interrupts } from "../signals.js";
import { clearRunRecord, writeRunRecord } from "./run-record.js";

export const MINIMUM_TERRAFORM_VERSION = "1.6.0";

/** One line of Terraform's machine-readable UI (`-json`). */
export interface TerraformJsonMessage {
  "@level"?: string;
  "@message"?: string;
  type?: string;
  [key: string]: unknown;
}

export interface RunOptions {
  cwd: string;
  /** Called for each JSON line when the command runs with -json. */
  onJson?: (message: TerraformJsonMessage) => void;
  /**
   * Everything Terraform prints is appended here, and Terraform runs detached: it writes into this file,
   * which we follow, so it outlives us if we are killed.
   */
  logFile?: string;
  /** Records the detached Terraform (pid, start, log) while it runs, for the next run to find. */
  record?: { file: string; stage: string; planFile?: string };
  /** Exit codes that are not failures (plan -detailed-exitcode answers 2 for "changes"). */
  okExitCodes?: number[];
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface TerraformRunnerOptions {
  binary: string;
  env: NodeJS.ProcessEnv;
  interrupts?: Interrupts;
  debug?: (message: string) => void;
  /** Tells the user what an interrupt is waiting for. */
  notice?: (message: string) => void;
  /** How long a first Ctrl-C waits for resource calls in flight before Terraform is told to stop. */
  settleMs?: number;
  /** Runs once, before the first Terraform command (writes generated files only when they are used). */
  setup?: () => Promise<void>;
}

/**
 * Counts resource operations in flight from Terraform's -json stream. Stopping Terraform cancels the
 * provider's calls; one cancelled between AWS creating a thing and answering with its id leaves it
 * created but in no state (seen: a subnet whose CIDR then conflicted on the next run). So a first
 * Ctrl-C lets what is in flight answer, then stops Terraform before it starts anything else.
 */
export class InFlight {
  private readonly running = new Set<string>();

  observe(message: TerraformJsonMessage): void {
    const hook = message.hook as { resource?: { addr?: string }; action?: string } | undefined;
    const addr = hook?.resource?.addr;
    if (!addr || hook?.action === "read") return;
    if (message.type === "apply_start") this.running.add(addr);
    else if (message.type === "apply_complete" || message.type === "apply_errored") this.running.delete(addr);
  }

  get size(): number {
    return this.running.size;
  }
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  const pb = b.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

/** Versions already checked in this process, by binary: one `terraform version` per run. */
const checkedVersions = new Map<string, string>();

/** Every Terraform call goes through here, so tests inject fakes or real binaries on purpose, never by accident. */
export class TerraformRunner {
  readonly binary: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly interrupts: Interrupts | undefined;
  private readonly debug: (message: string) => void;
  private readonly notice: (message: string) => void;
  private readonly settleMs: number;
  private readonly setup: (() => Promise<void>) | undefined;
  /** The setup's one run, awaited by every call: stages init concurrently and all need its file. */
  private setupDone: Promise<void> | undefined;

  constructor(options: TerraformRunnerOptions) {
    this.binary = options.binary;
    this.env = {
      ...options.env,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
    };
    this.interrupts = options.interrupts;
    this.debug = options.debug ?? (() => {});
    this.notice = options.notice ?? (() => {});
    this.settleMs = options.settleMs ?? 30_000;
    this.setup = options.setup;
  }

  /** Checks the binary exists and is new enough; cached for the process. */
  async ensureVersion(): Promise<string> {
    const cached = checkedVersions.get(this.binary);
    if (cached) return cached;
    const { execa } = await import("execa");
    let stdout: string;
    try {
      ({ stdout } = await execa(this.binary, ["version", "-json"], { env: this.env, extendEnv: false }));
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") {
        throw new UserError(`Terraform not found: '${this.binary}' is not on PATH.`, {
          code: "terraform.missing",
          suggestion: `Install Terraform >= ${MINIMUM_TERRAFORM_VERSION}, or set terraform.binary in triton-ops.yaml (or TRITON_OPS_TERRAFORM).`,
        });
      }
      throw new ExternalError(
        `Could not run '${this.binary} version': ${(error as Error).message.split("\n")[0]}`,
        {
          code: "terraform.version",
        },
      );
    }
    let version: string | undefined;
    try {
      version = (JSON.parse(stdout) as { terraform_version?: string }).terraform_version;
    } catch {
      version = /v?(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
    }
    if (!version) {
      throw new ExternalError(`Could not read Terraform's version from '${this.binary} version -json'.`, {
        code: "terraform.version",
      });
    }
    if (compareVersions(version, MINIMUM_TERRAFORM_VERSION) < 0) {
      throw new UserError(
        `Terraform ${version} is too old; triton-ops needs ${MINIMUM_TERRAFORM_VERSION} or newer.`,
        {
          code: "terraform.too-old",
          suggestion:
            "Upgrade Terraform (the stacks use `terraform test`, S3 native locking and other 1.6+ features).",
        },
      );
    }
    checkedVersions.set(this.binary, version);
    return version;
  }

  /**
   * Runs Terraform in its own session and process group. A terminal's Ctrl-C reaches only us: we pass the
   * first one on to the group (Terraform stops cleanly and releases its state lock) and stop hard on the
   * second. With a log file, Terraform writes into that file, not into a pipe of ours, and is recorded in
   * `record`: killed without warning, we leave it running to finish what it began and write its state,
   * and the next run finds it there.
   */
  async run(args: string[], options: RunOptions): Promise<RunResult> {
    await this.ensureVersion();
    if (this.setup) {
      this.setupDone ??= this.setup();
      await this.setupDone;
    }
    this.debug(`terraform ${args.join(" ")}  (in ${options.cwd})`);
    const child = options.logFile
      ? await this.startDetached(args, options, options.logFile)
      : await this.startPiped(args, options);
    let interruptedBy: number | undefined;
    const inFlight = new InFlight();
    let stopWhenSettled: (() => void) | undefined;
    let settleTimer: NodeJS.Timeout | undefined;
    let catchingUp = false;
    const stopCleanly = () => {
      stopWhenSettled = undefined;
      if (settleTimer) clearTimeout(settleTimer);
      child.signal("SIGINT");
    };
    /**
     * Stops Terraform once nothing is in flight, judged on all it has written so far: the log is read
     * to its end first, so a create that Terraform began after a finished one (often in the same write)
     * is waited for too, and never cancelled between AWS making it and Terraform recording it.
     */
    const settle = () => {
      if (!stopWhenSettled || inFlight.size > 0) return;
      catchingUp = true;
      try {
        child.catchUp();
      } finally {
        catchingUp = false;
      }
      if (stopWhenSettled && inFlight.size === 0) stopWhenSettled();
    };
    const unsubscribe = this.interrupts?.on((_signal, count) => {
      interruptedBy = count;
      if (count >= 2) {
        stopWhenSettled = undefined;
        if (settleTimer) clearTimeout(settleTimer);
        child.signal("SIGKILL");
        return;
      }
      stopWhenSettled = stopCleanly;
      settle();
      if (!stopWhenSettled) return;
      this.notice(
        `Stopping: letting the ${inFlight.size} AWS call(s) in flight finish first, so nothing is created without being recorded (Ctrl-C again stops Terraform hard).`,
      );
      settleTimer = setTimeout(stopCleanly, this.settleMs);
    });
    let pending = "";
    const onText = (text: string) => {
      // Without -json there is no stream of operations to follow (state pull's stdout is the answer).
      if (!options.onJson) return;
      pending += text;
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line.startsWith("{")) {
          let message: TerraformJsonMessage | undefined;
          try {
            message = JSON.parse(line) as TerraformJsonMessage;
          } catch {
            this.debug(`unparseable Terraform output: ${line.slice(0, 200)}`);
          }
          if (message) {
            inFlight.observe(message);
            options.onJson(message);
          }
        }
        newline = pending.indexOf("\n");
      }
      // Judged once the whole piece is read, never between a completion and the start after it.
      if (!catchingUp) settle();
    };
    const result = await child.wait(onText);
    unsubscribe?.();
    if (settleTimer) clearTimeout(settleTimer);
    const exitCode = result.exitCode ?? (result.signal ? 128 : 1);
    if (interruptedBy !== undefined) {
      throw new InterruptedError(
        interruptedBy >= 2
          ? "Interrupted twice: Terraform was stopped hard; its state lock may remain."
          : "Interrupted: Terraform stopped cleanly and released its state lock.",
        {
          code: "interrupted",
          suggestion:
            interruptedBy >= 2
              ? "Run the same command again; if it reports a lock, `terraform force-unlock` it in the stack's work dir."
              : "Run the same command again to carry on from where it stopped.",
        },
      );
    }
    const ok = exitCode === 0 || (options.okExitCodes ?? []).includes(exitCode);
    if (!ok && !options.onJson) {
      throw terraformFailure(args, result.stderr, options.logFile);
    }
    return { exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  /** Output through pipes, for short reads (show, state pull) whose stdout is the answer. */
  private async startPiped(args: string[], options: RunOptions): Promise<StartedTerraform> {
    const { execa } = await import("execa");
    const child = execa(this.binary, args, {
      cwd: options.cwd,
      env: this.env,
      extendEnv: false,
      reject: false,
      detached: true,
      stdin: "ignore",
      buffer: true,
      stripFinalNewline: false,
      lines: false,
    });
    return {
      signal: (signal) => signalGroup(child.pid, signal),
      // The pipe hands each write on as it comes: nothing to catch up with.
      catchUp: () => {},
      wait: async (onText) => {
        child.stdout?.on("data", (chunk: Buffer) => onText(chunk.toString("utf8")));
        const result = await child;
        return {
          exitCode: result.exitCode,
          signal: result.signal,
          stdout: String(result.stdout),
          stderr: String(result.stderr),
        };
      },
    };
  }

  /** Output into the log file, which we follow; nothing ties Terraform's life to ours. */
  private async startDetached(
    args: string[],
    options: RunOptions,
    logFile: string,
  ): Promise<StartedTerraform> {
    await mkdir(path.dirname(logFile), { recursive: true });
    const out = await open(logFile, "a", 0o600);
    let offset: number;
    let child: ChildProcess;
    let exited: Promise<{ exitCode: number | undefined; signal: string | undefined }>;
    try {
      await out.write(`\n$ terraform ${args.join(" ")}\n`);
      offset = (await out.stat()).size;
      child = spawn(this.binary, args, {
        cwd: options.cwd,
        env: this.env,
        detached: true,
        stdio: ["ignore", out.fd, out.fd],
      });
      // Listen for the exit at once: a Terraform that exits at once (a refused flag, a fake in a test)
      // can be gone before the next await returns, and an exit heard by no one would be waited on for ever.
      const spawned = child;
      exited = new Promise((resolve) =>
        spawned.once("exit", (code, signal) =>
          resolve({ exitCode: code ?? undefined, signal: signal ?? undefined }),
        ),
      );
      await new Promise<void>((resolve, reject) => {
        spawned.once("spawn", resolve);
        spawned.once("error", reject);
      });
    } finally {
      // Terraform holds its own copy of the descriptor.
      await out.close();
    }
    const pid = child.pid as number;
    // Our own exit must not wait for Terraform: a run that is killed leaves it to finish on its own.
    child.unref();
    const record = options.record;
    if (record) {
      await writeRunRecord(record.file, {
        pid,
        stage: record.stage,
        action: args[0] ?? "",
        args,
        startedAt: new Date().toISOString(),
        cwd: options.cwd,
        logFile,
        logOffset: offset,
        ...(record.planFile ? { planFile: record.planFile } : {}),
        startedBy: process.pid,
      });
    }
    let follower: LogFollower | undefined;
    return {
      signal: (signal) => signalGroup(pid, signal),
      catchUp: () => follower?.catchUp(),
      wait: async (onText) => {
        follower = followLog(logFile, offset, onText);
        const result = await exited;
        const text = await follower.stop();
        if (record) await clearRunRecord(record.file, pid);
        const plain = text
          .split("\n")
          .filter((l) => !l.trimStart().startsWith("{"))
          .join("\n");
        return { ...result, stdout: text, stderr: plain };
      },
    };
  }
}

interface StartedTerraform {
  signal(signal: NodeJS.Signals): void;
  /** Reads, now, whatever Terraform has written that was not handed on yet. */
  catchUp(): void;
  wait(onText: (text: string) => void): Promise<{
    exitCode: number | undefined;
    signal: string | undefined;
    stdout: string;
    stderr: string;
  }>;
}

/** Terraform and its provider plugins share its process group; a signal to the group reaches them all. */
function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

interface LogFollower {
  catchUp(): void;
  /** Reads to the end, stops following, and returns all that was read. */
  stop(): Promise<string>;
}

/**
 * Follows a growing file from an offset, handing each new piece of text on. Reads are synchronous (a
 * local file, read in pieces of at most 64 KiB), so catchUp() can be called between any two events and
 * nothing is read twice or out of order.
 */
function followLog(file: string, offset: number, onText: (text: string) => void): LogFollower {
  const fd = openSync(file, "r");
  let position = offset;
  let all = "";
  let closed = false;
  const decoder = new StringDecoder("utf8");
  const buffer = Buffer.alloc(64 * 1024);
  const catchUp = () => {
    if (closed) return;
    for (;;) {
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, buffer, 0, buffer.length, position);
      } catch {
        return;
      }
      if (bytesRead === 0) return;
      position += bytesRead;
      const text = decoder.write(buffer.subarray(0, bytesRead));
      all += text;
      onText(text);
    }
  };
  const timer = setInterval(catchUp, 100);
  return {
    catchUp,
    stop: async () => {
      clearInterval(timer);
      catchUp();
      closed = true;
      const rest = decoder.end();
      if (rest) {
        all += rest;
        onText(rest);
      }
      closeSync(fd);
      return all;
    },
  };
}

function terraformFailure(args: string[], stderr: string, logFile: string | undefined): ExternalError {
  const lines = stderr
    .split("\n")
    .map((l) => l.replace(/^[│╷╵]\s?/, "").trim())
    .filter((l) => l.length > 0);
  const headline = lines.find((l) => l.startsWith("Error:")) ?? lines[0] ?? "no output";
  if (/Error acquiring the state lock/i.test(stderr)) {
    return new ExternalError(`The state is locked by another Terraform run (terraform ${args[0]}).`, {
      code: "terraform.locked",
      suggestion: `Wait for the other run to finish; if none is running, unlock it with the Lock ID shown in ${logFile ?? "the log"}.`,
    });
  }
  if (
    /Failed to query available provider packages|Failed to install provider|registry\.terraform\.io/.test(
      stderr,
    )
  ) {
    return new ExternalError(
      `terraform ${args[0]} could not get the hashicorp/aws provider: ${headline.replace(/^Error:\s*/, "")}`,
      {
        code: "terraform.provider-unavailable",
        suggestion:
          "Offline or behind a firewall? Point terraform.providerMirror (or TRITON_OPS_PROVIDER_MIRROR) at a `terraform providers mirror` directory.",
      },
    );
  }
  return new ExternalError(`terraform ${args[0]} failed: ${headline}`, {
    code: "terraform.failed",
    suggestion: logFile ? `Full log: ${logFile}` : undefined,
  });
}

/**
 * The CLI config that makes Terraform install providers from an air-gapped mirror directory
 * (a filesystem_mirror), written into the work dir; TF_PLUGIN_CACHE_DIR is honoured by Terraform itself.
 */
/** The mirror CLI config's path and text; checks the mirror holds the aws provider, writes nothing. */
export function mirrorCliConfig(mirror: string, workRoot: string): { file: string; text: string } {
  const resolved = path.resolve(mirror);
  if (!existsSync(path.join(resolved, "registry.terraform.io", "hashicorp", "aws"))) {
    throw new UserError(`Provider mirror ${resolved} does not hold registry.terraform.io/hashicorp/aws.`, {
      code: "terraform.mirror",
      suggestion:
        "Point terraform.providerMirror (or TRITON_OPS_PROVIDER_MIRROR) at a directory made by `terraform providers mirror`.",
    });
  }
  const text = [
    "# Written by triton-ops: providers come from the offline mirror only.",
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(resolved)}`,
    '    include = ["registry.terraform.io/hashicorp/*"]',
    "  }",
    "  direct {",
    '    exclude = ["registry.terraform.io/hashicorp/*"]',
    "  }",
    "}",
    "",
  ].join("\n");
  return { file: path.join(workRoot, "terraform.rc"), text };
}

export async function writeMirrorCliConfig(mirror: string, workRoot: string): Promise<string> {
  const { file, text } = mirrorCliConfig(mirror, workRoot);
  await writeFileAtomic(file, text);
  return file;
}

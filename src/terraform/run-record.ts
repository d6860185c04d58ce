import { readdir, readFile, readlink, realpath, rm } from "node:fs/promises";
import path from "node:path";
import { isErrno, writeFileAtomic } from "../fs-util.js";

/**
 * What triton-ops knows about a Terraform it started, written beside the stage's state while that
 * Terraform runs. Terraform runs detached (its own session, output into the stage's log file), so it
 * finishes an apply even when triton-ops is killed without warning; the record is how the next run
 * finds it: still running (wait for it), or finished (read its outcome from the log, then carry on).
 */
export interface RunRecord {
  /** Terraform's pid; it leads its own session and process group, so this is also the group id. */
  pid: number;
  stage: string;
  /** The Terraform subcommand (plan, apply, import, init). */
  action: string;
  args: string[];
  startedAt: string;
  cwd: string;
  logFile: string;
  /** Where this run's output starts in the log (the log is appended to across runs). */
  logOffset: number;
  planFile?: string;
  /** The triton-ops process that started it. */
  startedBy: number;
}

export function runRecordPath(envDir: string, stage: string): string {
  return path.join(envDir, "runs", `${stage}.json`);
}

export async function writeRunRecord(file: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`, { secret: true });
}

export async function readRunRecord(file: string): Promise<RunRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return undefined;
    throw error;
  }
  try {
    const record = JSON.parse(text) as RunRecord;
    return typeof record.pid === "number" && typeof record.logFile === "string" ? record : undefined;
  } catch {
    // A record cut short by a crash says nothing reliable; the state lock still protects the state.
    return undefined;
  }
}

/** Removes the record, but only if it is still the one for this pid (a newer run may have replaced it). */
export async function clearRunRecord(file: string, pid: number): Promise<void> {
  const current = await readRunRecord(file);
  if (current && current.pid !== pid) return;
  await rm(file, { force: true });
}

/**
 * True while the recorded Terraform is running (and the pid was not reused by something else): the pid
 * answers, is no zombie, and its command line is the recorded one (or, without recorded args, holds
 * the subcommand).
 */
export async function isRunning(
  record: Pick<RunRecord, "pid" | "action"> & { args?: string[] },
): Promise<boolean> {
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    return isErrno(error, "EPERM");
  }
  try {
    const cmdline = (await readFile(`/proc/${record.pid}/cmdline`, "utf8")).split("\0");
    const stat = await readFile(`/proc/${record.pid}/stat`, "utf8");
    // A zombie has finished; one whose command line is not Terraform's is a reused pid.
    if (/\)\s+Z\s/.test(stat)) return false;
    if (record.args) {
      const argv = cmdline.slice(1, 1 + record.args.length);
      return argv.length === record.args.length && argv.every((a, i) => a === record.args?.[i]);
    }
    return cmdline.includes(record.action);
  } catch {
    // No /proc (macOS): the signal check is all there is.
    return true;
  }
}

interface ProcessSeen {
  pid: number;
  /** The command name from /proc/<pid>/stat. */
  name: string;
  state: string;
  pgrp: number;
}

/**
 * Every process /proc shows (Linux; none elsewhere), each handed to `pick`, which answers what to list
 * for it (or undefined); a process gone while we looked is skipped. Sorted by pid.
 */
async function scanProcesses<T extends { pid: number }>(
  pick: (p: ProcessSeen) => Promise<T | undefined>,
): Promise<T[]> {
  let entries: string[];
  try {
    entries = await readdir("/proc");
  } catch {
    return [];
  }
  const out: T[] = [];
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (entry) => {
        try {
          const stat = await readFile(`/proc/${entry}/stat`, "utf8");
          // Fields after the command (which may hold spaces) in parentheses: state ppid pgrp ...
          const close = stat.lastIndexOf(")");
          const fields = stat.slice(close + 2).split(" ");
          const seen = {
            pid: Number(entry),
            name: stat.slice(stat.indexOf("(") + 1, close),
            state: fields[0] ?? "",
            pgrp: Number(fields[2]),
          };
          const picked = await pick(seen);
          if (picked) out.push(picked);
        } catch {
          // gone while we looked, or not ours to read
        }
      }),
  );
  return out.sort((a, b) => a.pid - b.pid);
}

/**
 * Processes still in the recorded Terraform's process group (Linux, from /proc): after that Terraform
 * died, these are its provider plugins (terraform-provider-aws), which nothing will ever stop.
 */
export function groupMembers(pgid: number): Promise<Array<{ pid: number; command: string }>> {
  return scanProcesses(async (p) =>
    p.pgrp === pgid && p.state !== "Z" ? { pid: p.pid, command: p.name } : undefined,
  );
}

/**
 * Terraforms running in a stack's work dir, whatever any record says (Linux, from /proc): process-group
 * leaders, as every Terraform triton-ops starts is (and one a person starts from a shell), whose working
 * directory is `dir`; the provider plugins in their groups are not counted.
 */
export async function terraformsIn(dir: string): Promise<Array<{ pid: number; command: string }>> {
  const real = await realpath(dir).catch(() => dir);
  return scanProcesses(async (p) => {
    if (p.state === "Z" || p.pgrp !== p.pid) return undefined;
    if ((await readlink(`/proc/${p.pid}/cwd`)) !== real) return undefined;
    const argv = (await readFile(`/proc/${p.pid}/cmdline`, "utf8")).split("\0").filter(Boolean);
    if (argv.length === 0 || path.basename(argv[0] ?? "").startsWith("terraform-provider-")) return undefined;
    return { pid: p.pid, command: argv.join(" ") };
  });
}

export interface LoggedOutcome {
  /** finished: Terraform said it completed; failed: it reported an error; stopped: it ended mid-way. */
  result: "finished" | "failed" | "stopped";
  /** Terraform's own words: the change summary, the first error, or what it was last doing. */
  summary: string;
}

/** Pure: how a Terraform run ended, from its output (the -json stream, or plain text for init). */
export function outcomeFromLog(text: string): LoggedOutcome {
  let summary: string | undefined;
  let error: string | undefined;
  let last: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line.startsWith("{")) {
      if (/Terraform has been successfully initialized/.test(line)) summary ??= line;
      if (/^Error: /.test(line.replace(/^[│╷╵]\s?/, ""))) error ??= line.replace(/^[│╷╵]\s?/, "");
      continue;
    }
    let message: { type?: string; "@level"?: string; "@message"?: string };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      continue;
    }
    if (message.type === "change_summary") summary = message["@message"];
    else if (message.type === "diagnostic" && message["@level"] === "error") error ??= message["@message"];
    else if (message["@message"]) last = message["@message"];
  }
  if (error) return { result: "failed", summary: error };
  if (summary) return { result: "finished", summary };
  return { result: "stopped", summary: last ? `last seen: ${last}` : "it printed nothing" };
}

/** The part of a log one run wrote. */
export async function readLogSegment(file: string, offset: number): Promise<string> {
  try {
    return (await readFile(file)).subarray(offset).toString("utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return "";
    throw error;
  }
}

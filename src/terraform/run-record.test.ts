import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  clearRunRecord,
  groupMembers,
  isRunning,
  outcomeFromLog,
  readRunRecord,
  runRecordPath,
  terraformsIn,
  writeRunRecord,
} from "./run-record.js";

const json = (m: Record<string, unknown>) => JSON.stringify(m);

describe("run records", () => {
  it("reads how a Terraform run ended from its log", () => {
    const applied = [
      json({ type: "apply_start", "@message": "aws_vpc.this: Creating..." }),
      json({
        type: "change_summary",
        "@message": "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
      }),
    ].join("\n");
    expect(outcomeFromLog(applied)).toEqual({
      result: "finished",
      summary: "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
    });
    const failed = [
      json({ type: "diagnostic", "@level": "error", "@message": "Error: creating EC2 VPC: boom" }),
      json({ type: "change_summary", "@message": "Apply complete! Resources: 0 added" }),
    ].join("\n");
    expect(outcomeFromLog(failed)).toEqual({ result: "failed", summary: "Error: creating EC2 VPC: boom" });
    const cut = `${json({ type: "apply_start", "@message": "aws_subnet.a[0]: Creating..." })}\n{"type":"apply_pro`;
    expect(outcomeFromLog(cut)).toEqual({
      result: "stopped",
      summary: "last seen: aws_subnet.a[0]: Creating...",
    });
    expect(outcomeFromLog("")).toEqual({ result: "stopped", summary: "it printed nothing" });
    expect(outcomeFromLog("\nTerraform has been successfully initialized!\n").result).toBe("finished");
    expect(outcomeFromLog("│ Error: Failed to install provider\n").result).toBe("failed");
  });

  it("writes, reads and clears a record; a record of another run is left alone", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "run-record-"));
    const file = runRecordPath(dir, "vpc");
    const record = {
      pid: 4242,
      stage: "vpc",
      action: "apply",
      args: ["apply", "tfplan"],
      startedAt: new Date().toISOString(),
      cwd: dir,
      logFile: path.join(dir, "vpc-apply.log"),
      logOffset: 10,
      startedBy: process.pid,
    };
    await writeRunRecord(file, record);
    expect(await readRunRecord(file)).toEqual(record);
    await clearRunRecord(file, 1);
    expect(await readRunRecord(file)).toEqual(record);
    await clearRunRecord(file, 4242);
    expect(await readRunRecord(file)).toBeUndefined();
  });

  it("knows a running process from a finished one, and lists what is left in its group", async () => {
    const child = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    await new Promise((resolve) => child.once("spawn", resolve));
    const pid = child.pid as number;
    expect(await isRunning({ pid, action: "30" })).toBe(true);
    // Same pid, another command line: a reused pid is not the recorded Terraform.
    expect(await isRunning({ pid, action: "apply" })).toBe(false);
    // With its recorded arguments, the whole command line must match.
    expect(await isRunning({ pid, action: "30", args: ["30"] })).toBe(true);
    expect(await isRunning({ pid, action: "30", args: ["31"] })).toBe(false);
    expect((await groupMembers(pid)).map((m) => m.command)).toEqual(["sleep"]);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-pid, "SIGKILL");
    await exited;
    expect(await isRunning({ pid, action: "30" })).toBe(false);
    expect(await groupMembers(pid)).toEqual([]);
  });

  it("finds a Terraform working in a stack dir without any record: group leaders there, not their children", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "tf-dir-"));
    const leader = spawn("sh", ["-c", "sleep 30 & wait"], { cwd: dir, detached: true, stdio: "ignore" });
    await new Promise((resolve) => leader.once("spawn", resolve));
    const pid = leader.pid as number;
    // Elsewhere: not counted.
    const other = spawn("sleep", ["30"], { cwd: os.tmpdir(), detached: true, stdio: "ignore" });
    await new Promise((resolve) => other.once("spawn", resolve));
    try {
      // The child sleep shares the dir and the group but leads nothing (as a provider plugin).
      expect((await terraformsIn(dir)).map((p) => p.pid)).toEqual([pid]);
      expect((await terraformsIn(dir))[0]?.command).toBe("sh -c sleep 30 & wait");
    } finally {
      const gone = new Promise((resolve) => leader.once("exit", resolve));
      process.kill(-pid, "SIGKILL");
      process.kill(-(other.pid as number), "SIGKILL");
      await gone;
    }
    expect(await terraformsIn(dir)).toEqual([]);
  });
});

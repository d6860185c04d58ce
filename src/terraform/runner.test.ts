import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExternalError, InterruptedError, UserError } from "../errors.js";
import { Interrupts } from "../signals.js";
import { readRunRecord, runRecordPath } from "./run-record.js";
import { compareVersions, InFlight, TerraformRunner, writeMirrorCliConfig } from "./runner.js";

/** A stand-in terraform binary: prints what it is told, exits as told. */
async function fakeTerraform(script: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tf-fake-"));
  const file = path.join(dir, "terraform");
  await writeFile(file, `#!/bin/sh\n${script}\n`);
  await chmod(file, 0o755);
  return file;
}

describe("TerraformRunner", () => {
  it("compares versions", () => {
    expect(compareVersions("1.11.4", "1.6.0")).toBe(1);
    expect(compareVersions("1.5.7", "1.6.0")).toBe(-1);
    expect(compareVersions("1.6.0", "1.6.0")).toBe(0);
  });

  it("accepts the real terraform on PATH", async () => {
    const runner = new TerraformRunner({ binary: "terraform", env: process.env });
    expect(await runner.ensureVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("says clearly when terraform is missing", async () => {
    const runner = new TerraformRunner({ binary: "/nonexistent/terraform", env: process.env });
    const error = await runner.ensureVersion().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe("terraform.missing");
  });

  it("refuses a terraform older than 1.6", async () => {
    const binary = await fakeTerraform(`echo '{"terraform_version":"1.5.7"}'`);
    const error = await new TerraformRunner({ binary, env: process.env })
      .ensureVersion()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/1\.5\.7 is too old/);
  });

  it("streams JSON lines, tolerates garbage, and logs everything", async () => {
    const binary = await fakeTerraform(
      `case "$1" in version) echo '{"terraform_version":"1.9.0"}';; *) echo '{"type":"apply_start","hook":{"resource":{"addr":"aws_vpc.this"}}}'; echo 'not json'; echo '{"type":"apply_complete"}'; exit 0;; esac`,
    );
    const dir = await mkdtemp(path.join(os.tmpdir(), "tf-run-"));
    const seen: string[] = [];
    const runner = new TerraformRunner({ binary, env: process.env });
    const log = path.join(dir, "logs", "x.log");
    await runner.run(["apply", "-json"], {
      cwd: dir,
      logFile: log,
      onJson: (m) => seen.push(String(m.type)),
    });
    expect(seen).toEqual(["apply_start", "apply_complete"]);
    expect(await readFile(log, "utf8")).toContain("not json");
  });

  it("with a log file, runs Terraform in its own session writing into the log, recorded while it runs", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "tf-detached-"));
    const go = path.join(dir, "go");
    const binary = await fakeTerraform(
      [
        `case "$1" in version) echo '{"terraform_version":"1.9.0"}'; exit 0;; esac`,
        `echo '{"type":"apply_start","hook":{"resource":{"addr":"aws_vpc.this"},"action":"create"}}'`,
        `while [ ! -e ${go} ]; do sleep 0.05; done`,
        `echo '{"type":"change_summary","@message":"Apply complete!"}'`,
        "echo 'a warning' >&2",
      ].join("\n"),
    );
    const runner = new TerraformRunner({ binary, env: process.env });
    const log = path.join(dir, "logs", "vpc-apply.log");
    const recordFile = runRecordPath(dir, "vpc");
    const seen: string[] = [];
    let started!: () => void;
    const onStart = new Promise<void>((resolve) => (started = resolve));
    const run = runner.run(["apply", "-json"], {
      cwd: dir,
      logFile: log,
      record: { file: recordFile, stage: "vpc", planFile: "tfplan" },
      onJson: (m) => {
        seen.push(String(m.type));
        if (m.type === "apply_start") started();
      },
    });
    await onStart;
    const record = await readRunRecord(recordFile);
    expect(record).toMatchObject({ stage: "vpc", action: "apply", logFile: log, planFile: "tfplan" });
    // Its own session (the session id is field 6 of /proc/PID/stat): a kill of ours does not reach it.
    const stat = await readFile(`/proc/${record?.pid}/stat`, "utf8");
    expect(Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3])).toBe(record?.pid);
    await writeFile(go, "");
    const result = await run;
    expect(result.exitCode).toBe(0);
    expect(seen).toEqual(["apply_start", "change_summary"]);
    expect(result.stderr).toContain("a warning");
    expect(await readFile(log, "utf8")).toMatch(/\$ terraform apply -json\n.*apply_start[\s\S]*a warning/);
    expect(await readRunRecord(recordFile)).toBeUndefined();
  });

  it("counts resource calls in flight from the -json stream, ignoring data reads", () => {
    const inFlight = new InFlight();
    const msg = (type: string, addr: string, action = "create") => ({
      type,
      hook: { resource: { addr }, action },
    });
    inFlight.observe(msg("apply_start", "aws_subnet.a"));
    inFlight.observe(msg("apply_start", "aws_subnet.b"));
    inFlight.observe(msg("apply_start", "data.aws_region.x", "read"));
    expect(inFlight.size).toBe(2);
    inFlight.observe(msg("apply_complete", "aws_subnet.a"));
    inFlight.observe(msg("apply_errored", "aws_subnet.b"));
    expect(inFlight.size).toBe(0);
  });

  it("on a first Ctrl-C lets the call in flight answer, then stops Terraform cleanly", async () => {
    // The fake starts a create, takes a while to finish it, and records when SIGINT arrives.
    const dir = await mkdtemp(path.join(os.tmpdir(), "tf-int-"));
    const marks = path.join(dir, "marks");
    const binary = await fakeTerraform(
      [
        `case "$1" in version) echo '{"terraform_version":"1.9.0"}'; exit 0;; esac`,
        `trap 'echo sigint >> ${marks}; exit 1' INT`,
        `echo '{"type":"apply_start","hook":{"resource":{"addr":"aws_subnet.a"},"action":"create"}}'`,
        "sleep 1",
        `echo created >> ${marks}`,
        `echo '{"type":"apply_complete","hook":{"resource":{"addr":"aws_subnet.a"},"action":"create"}}'`,
        "while :; do sleep 0.1; done",
      ].join("\n"),
    );
    const { error, notices } = await interruptOnFirstStart(binary, dir);
    expect(error).toBeInstanceOf(InterruptedError);
    expect(notices[0]).toMatch(/letting the 1 AWS call\(s\) in flight finish/);
    expect((await readFile(marks, "utf8")).split("\n").filter(Boolean)).toEqual(["created", "sigint"]);
  });

  it("on a first Ctrl-C also waits for a create begun in the same write as a completion", async () => {
    // Terraform often writes one create's completion and the next one's start together: stopping at the
    // completion would cancel the second call after AWS made the thing and before Terraform recorded it.
    const dir = await mkdtemp(path.join(os.tmpdir(), "tf-int-"));
    const marks = path.join(dir, "marks");
    const start = (addr: string) =>
      `{"type":"apply_start","hook":{"resource":{"addr":"${addr}"},"action":"create"}}`;
    const complete = (addr: string) =>
      `{"type":"apply_complete","hook":{"resource":{"addr":"${addr}"},"action":"create"}}`;
    const binary = await fakeTerraform(
      [
        `case "$1" in version) echo '{"terraform_version":"1.9.0"}'; exit 0;; esac`,
        `trap 'echo sigint >> ${marks}; exit 1' INT`,
        `echo '${start("aws_vpc.a")}'`,
        "sleep 1",
        `printf '%s\\n%s\\n' '${complete("aws_vpc.a")}' '${start("aws_subnet.b")}'`,
        "sleep 1",
        `echo created-b >> ${marks}`,
        `echo '${complete("aws_subnet.b")}'`,
        "while :; do sleep 0.1; done",
      ].join("\n"),
    );
    expect((await interruptOnFirstStart(binary, dir)).error).toBeInstanceOf(InterruptedError);
    expect((await readFile(marks, "utf8")).split("\n").filter(Boolean)).toEqual(["created-b", "sigint"]);
  });

  it("turns a lock error into one line that says what to do", async () => {
    const binary = await fakeTerraform(
      `case "$1" in version) echo '{"terraform_version":"1.9.0"}';; *) echo 'Error: Error acquiring the state lock' >&2; exit 1;; esac`,
    );
    const runner = new TerraformRunner({ binary, env: process.env });
    const error = await runner.run(["plan"], { cwd: os.tmpdir() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).code).toBe("terraform.locked");
  });

  it("writes a filesystem_mirror CLI config and rejects a directory without the provider", async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), "tf-rc-"));
    await expect(writeMirrorCliConfig(work, work)).rejects.toThrow(
      /does not hold registry.terraform.io\/hashicorp\/aws/,
    );
    const mirror = path.join(work, "mirror");
    const { mkdir } = await import("node:fs/promises");
    await mkdir(path.join(mirror, "registry.terraform.io", "hashicorp", "aws"), { recursive: true });
    const file = await writeMirrorCliConfig(mirror, work);
    const text = await readFile(file, "utf8");
    expect(text).toContain(`path    = ${JSON.stringify(mirror)}`);
    expect(text).toContain("filesystem_mirror");
  });
});

/** Runs a fake apply detached, fires one Ctrl-C once it starts its first create, and returns how it ended. */
async function interruptOnFirstStart(binary: string, dir: string) {
  const interrupts = new Interrupts();
  const notices: string[] = [];
  const runner = new TerraformRunner({
    binary,
    env: process.env,
    interrupts,
    notice: (m) => notices.push(m),
  });
  let started!: () => void;
  const onStart = new Promise<void>((resolve) => (started = resolve));
  const run = runner.run(["apply", "-json"], {
    cwd: dir,
    logFile: path.join(dir, "apply.log"),
    onJson: (m) => (m.type === "apply_start" ? started() : undefined),
  });
  await onStart;
  interrupts.fire("SIGINT");
  return { error: await run.catch((e: unknown) => e), notices };
}

import { readFileSync } from "node:fs";
import { cp, mkdtemp, open, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSandboxState, sandboxEnv, stopProcess } from "../../src/sandbox/sandbox.js";
import { spawnCli } from "../support/cli-process.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

interface SyncJson {
  ok: boolean;
  bucket: string;
  prefix: string;
  uploaded: Array<{ key: string; reason: string }>;
  deleted: string[];
  unchanged: number;
  hashed: number;
}

/** The done-when on the sandbox: up vpc,iam,ecr, then sync the sample model; `aws s3 sync` is the reference. */
describe("models sync on the sandbox", () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let awsEnv: NodeJS.ProcessEnv;
  let models: string;
  const sample = path.resolve(import.meta.dirname, "../../templates/sample-model/models");

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "models-sync-e2e-"));
    env = { ...process.env, TRITON_OPS_PROVIDER_MIRROR: providerMirror() };
    const init = await runCli("init --yes --sandbox --name msync --env test --region us-east-1", {
      cwd,
      env,
    });
    expect(init.code, init.stderr).toBe(0);
    const file = path.join(cwd, "triton-ops.yaml");
    await writeFile(file, `${await readFile(file, "utf8")}network:\n  azCount: 2\n`);
    const up = await runCli("up --stage vpc,iam,ecr --yes --json", { cwd, env });
    expect(up.code, up.stderr).toBe(0);
    const sandbox = await readSandboxState(path.join(cwd, ".triton-ops"));
    awsEnv = sandboxEnv(process.env, sandbox?.endpoint ?? "", "us-east-1");
    models = path.join(cwd, "models");
    await cp(sample, models, { recursive: true });
    // aws s3 sync (the reference below) also compares modification times, at whole seconds: a file copied
    // in the same second as its upload can look newer than the object. The copies are dated a minute back,
    // as files written before a sync are.
    const past = new Date(Date.now() - 60_000);
    for (const entry of await readdir(models, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) await utimes(path.join(entry.parentPath, entry.name), past, past);
    }
  }, 280_000);

  afterAll(async () => {
    const state = cwd ? await readSandboxState(path.join(cwd, ".triton-ops")) : undefined;
    if (state) await stopProcess(state.pid);
  });

  const sync = async (args = "") => {
    const run = await runCli(`models sync models ${args} --json`, { cwd, env });
    return { ...run, json: run.stdout ? (JSON.parse(run.stdout) as SyncJson) : undefined };
  };
  const reference = async (bucket: string, prefix: string) =>
    (
      await execa("aws", ["s3", "sync", "--dryrun", "--delete", models, `s3://${bucket}/${prefix}`], {
        env: awsEnv,
      })
    ).stdout.trim();

  it("uploads the sample model, then nothing; aws s3 sync agrees the bucket matches", async () => {
    const first = await sync();
    expect(first.code, first.stderr).toBe(0);
    expect(first.json?.uploaded.map((u) => u.key).sort()).toEqual([
      "models/identity/1/model.py",
      "models/identity/config.pbtxt",
    ]);
    expect(first.json?.bucket).toMatch(/^msync-test-models-/);
    const second = await sync();
    // Compared from the listing and the checksum cache alone: no file is read.
    expect(second.json).toMatchObject({ ok: true, uploaded: [], deleted: [], unchanged: 2, hashed: 0 });
    // The reference tool finds nothing to do either: same keys, same sizes.
    expect(await reference(first.json!.bucket, first.json!.prefix)).toBe("");
  });

  it("uploads exactly the one changed file, and --dry-run changes nothing", async () => {
    await writeFile(
      path.join(models, "identity/1/model.py"),
      `${await readFile(path.join(sample, "identity/1/model.py"), "utf8")}\n# changed\n`,
    );
    // aws s3 sync (the reference below) also compares modification times, at whole seconds: a file written
    // in the same second as its upload can look newer than the object. Written a minute before, as an
    // edit before a sync is.
    const past = new Date(Date.now() - 60_000);
    await utimes(path.join(models, "identity/1/model.py"), past, past);
    const dry = await sync("--dry-run");
    expect(dry.json?.uploaded).toEqual([
      { key: "models/identity/1/model.py", size: expect.any(Number), reason: "changed" },
    ]);
    const run = await sync();
    expect(run.json?.uploaded.map((u) => u.key)).toEqual(["models/identity/1/model.py"]);
    expect((await sync()).json?.uploaded).toEqual([]);
  });

  it("deletes remote files only with --delete", async () => {
    await writeFile(path.join(models, "identity/extra.txt"), "x");
    const past = new Date(Date.now() - 60_000);
    await utimes(path.join(models, "identity/extra.txt"), past, past);
    expect((await sync()).json?.uploaded.map((u) => u.key)).toEqual(["models/identity/extra.txt"]);
    await rm(path.join(models, "identity/extra.txt"));
    expect((await sync()).json?.deleted).toEqual([]);
    const refused = await runCli("models sync models --delete", { cwd, env });
    expect(refused.code).toBe(1); // no terminal to ask on: nothing is deleted
    const run = await sync("--delete --yes");
    expect(run.json?.deleted).toEqual(["models/identity/extra.txt"]);
    expect(await reference(run.json!.bucket, run.json!.prefix)).toBe("");
  });

  it("a lint error stops the sync before anything is uploaded", async () => {
    await writeFile(
      path.join(models, "identity/config.pbtxt"),
      'name: "identity"\nbackend: "python"\nmax_batch_size: -1\n',
    );
    const run = await sync();
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, lint: { ok: false } });
    await cp(path.join(sample, "identity/config.pbtxt"), path.join(models, "identity/config.pbtxt"));
    expect((await sync("--dry-run")).json?.uploaded).toEqual([]);
  });

  // The flags are checked once the listing has left (commands/models.ts): still one line, exit 2, no upload.
  it("a bad --timeout or a --load the control mode cannot honour stops the sync with one line", async () => {
    await writeFile(path.join(models, "identity/new.txt"), "new");
    for (const [args, message] of [
      ["--timeout 0", /^Error: --timeout 0 is not a whole number of seconds/],
      ["--load", /^Error: --load needs triton.modelControlMode: explicit/],
    ] as const) {
      const run = await runCli(`models sync models ${args}`, { cwd, env });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect((await sync("--dry-run")).json?.uploaded.map((u) => u.key)).toEqual(["models/identity/new.txt"]);
    await rm(path.join(models, "identity/new.txt"));
  });

  it("streams a 1 GB file up with bounded memory, and its multipart ETag compares equal afterwards", async () => {
    const big = path.join(cwd, "big");
    await cp(models, big, { recursive: true, preserveTimestamps: true });
    const weights = path.join(big, "identity", "1", "weights.bin");
    const handle = await open(weights, "w");
    await handle.truncate(1024 ** 3); // sparse: no disk, and reading it costs no I/O
    await handle.close();
    const past = new Date(Date.now() - 60_000);
    await utimes(weights, past, past);
    // The built CLI as its own process, so its peak RSS (the kernel's VmHWM) is its own.
    const cli = spawnCli(["models", "sync", "big", "--json"], { cwd, env });
    let peakKb = 0;
    const sampler = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${cli.child.pid}/status`, "utf8"));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch {
        // The process has gone between two samples.
      }
    }, 25);
    const code = await cli.exited.finally(() => clearInterval(sampler));
    expect(code, cli.output().stderr).toBe(0);
    const run = JSON.parse(cli.output().stdout) as SyncJson;
    expect(run.uploaded).toEqual([{ key: "models/identity/1/weights.bin", size: 1024 ** 3, reason: "new" }]);
    // The small files are compared (hashed: this tree is new to the cache); the 1 GB one is new to the
    // bucket, so it is read once, on its way up, and not hashed first.
    expect(run.hashed).toBe(2);
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb / 1024).toBeLessThan(200);
    // The upload named the parts' checksum (CRC32) when it was created: S3 refuses parts that carry one
    // the upload did not name ("Checksum Type mismatch ... expected checksum Type: null"), which moto
    // does not. So what the AWS CLI reads back is a CRC32 (S3 writes it "<crc>-128", COMPOSITE; moto
    // leaves out both), not the full-object CRC64NVME an upload that names none is given.
    const head = await execa(
      "aws",
      [
        "s3api",
        "head-object",
        "--bucket",
        run.bucket,
        "--key",
        "models/identity/1/weights.bin",
        "--checksum-mode",
        "ENABLED",
      ],
      { env: awsEnv },
    );
    const checksums = JSON.parse(head.stdout) as Record<string, unknown>;
    expect(checksums.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==(-128)?$/);
    expect(checksums.ChecksumCRC64NVME).toBeUndefined();
    expect((await sync()).json).toMatchObject({ uploaded: [], hashed: 0 });
    // A new mtime makes the file be hashed again, and the local multipart ETag agrees with the one S3 gave.
    await utimes(weights, new Date(), new Date());
    const again = await runCli("models sync big --json", { cwd, env });
    expect(JSON.parse(again.stdout)).toMatchObject({ uploaded: [], hashed: 1 });
  });
});

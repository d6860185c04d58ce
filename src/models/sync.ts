/**
 * `models sync`: make s3://<model bucket>/<triton.modelRepositoryPath>/ hold exactly the local repository.
 * Files compare by size and by the ETag S3 would give them: MD5 for a single-part upload, MD5 of the part
 * MD5s plus "-N" for multipart. Parts are 8 MiB (the AWS CLI's default, so a bucket filled by `aws s3 sync`
 * compares equal) and grow for files over 80 GB so no upload needs more than 10,000 parts.
 * Files stream from disk for hashing and for upload; none is ever held whole in memory.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import type { ModelStore, RemoteObject } from "../aws/model-store.js";

export const MIB = 1024 * 1024;
const MAX_PARTS = 10_000;

export function partSizeFor(size: number): number {
  let part = 8 * MIB;
  while (Math.ceil(size / part) > MAX_PARTS) part *= 2;
  return part;
}

export interface LocalFile {
  /** Path relative to the repository, with forward slashes. */
  rel: string;
  abs: string;
  size: number;
}

export async function walkFiles(root: string): Promise<LocalFile[]> {
  const out: LocalFile[] = [];
  const visit = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    await Promise.all(
      entries.map(async (e) => {
        const abs = path.join(dir, e.name);
        if (e.isDirectory()) return visit(abs);
        if (!e.isFile()) return;
        const info = await stat(abs);
        out.push({ rel: path.relative(root, abs).split(path.sep).join("/"), abs, size: info.size });
      }),
    );
  };
  await visit(root);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

/** The ETag S3 gives this file when uploaded with partSizeFor(size), computed by streaming it once. */
export async function localEtag(file: string, size: number): Promise<string> {
  const part = partSizeFor(size);
  const whole = createHash("md5");
  const partDigests: Buffer[] = [];
  let current = createHash("md5");
  let inPart = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: MIB }) as AsyncIterable<Buffer>) {
    if (size <= part) {
      whole.update(chunk);
      continue;
    }
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(part - inPart, chunk.length - offset);
      current.update(chunk.subarray(offset, offset + take));
      inPart += take;
      offset += take;
      if (inPart === part) {
        partDigests.push(current.digest());
        current = createHash("md5");
        inPart = 0;
      }
    }
  }
  if (size <= part) return whole.digest("hex");
  if (inPart > 0) partDigests.push(current.digest());
  return `${createHash("md5").update(Buffer.concat(partDigests)).digest("hex")}-${partDigests.length}`;
}

export interface SyncPlan {
  upload: Array<LocalFile & { key: string; reason: "new" | "changed" }>;
  remove: string[];
  unchanged: number;
}

/** Pure: what to upload and delete, given local files with their ETags and the remote listing. */
export function planSync(
  local: Array<LocalFile & { etag: string }>,
  remote: RemoteObject[],
  prefix: string,
  withDelete: boolean,
): SyncPlan {
  const byKey = new Map(remote.map((o) => [o.key, o]));
  const plan: SyncPlan = { upload: [], remove: [], unchanged: 0 };
  const keys = new Set<string>();
  for (const f of local) {
    const key = `${prefix}${f.rel}`;
    keys.add(key);
    const there = byKey.get(key);
    if (!there) plan.upload.push({ ...f, key, reason: "new" });
    else if (there.size !== f.size || there.etag !== f.etag)
      plan.upload.push({ ...f, key, reason: "changed" });
    else plan.unchanged += 1;
  }
  if (withDelete) plan.remove = remote.filter((o) => !keys.has(o.key)).map((o) => o.key);
  return plan;
}

export interface SyncResult {
  ok: boolean;
  bucket: string;
  prefix: string;
  dryRun: boolean;
  uploaded: Array<{ key: string; size: number; reason: "new" | "changed" }>;
  deleted: string[];
  unchanged: number;
  /** Remote objects that are not local and stay because --delete was not given. */
  extraRemote: number;
  bytes: number;
}

export interface SyncOptions {
  root: string;
  bucket: string;
  prefix: string;
  delete: boolean;
  dryRun: boolean;
  concurrency?: number;
  onProgress?: (done: number, total: number, bytes: number) => void;
  /** Asked before anything changes when the plan deletes remote files; false leaves everything as it is. */
  confirmRemove?: (keys: string[]) => Promise<boolean>;
}

export async function runSync(store: ModelStore, options: SyncOptions): Promise<SyncResult> {
  const limit = pLimit(options.concurrency ?? 8);
  const [files, remote] = await Promise.all([walkFiles(options.root), store.list(options.prefix)]);
  const hashed = await Promise.all(
    files.map((f) => limit(async () => ({ ...f, etag: await localEtag(f.abs, f.size) }))),
  );
  const plan = planSync(hashed, remote, options.prefix, options.delete);
  const extraRemote = planSync(hashed, remote, options.prefix, true).remove.length - plan.remove.length;
  const result: SyncResult = {
    ok: true,
    bucket: options.bucket,
    prefix: options.prefix,
    dryRun: options.dryRun,
    uploaded: plan.upload.map((u) => ({ key: u.key, size: u.size, reason: u.reason })),
    deleted: plan.remove,
    unchanged: plan.unchanged,
    extraRemote,
    bytes: plan.upload.reduce((n, u) => n + u.size, 0),
  };
  if (options.dryRun) return result;
  if (plan.remove.length > 0 && options.confirmRemove && !(await options.confirmRemove(plan.remove))) {
    return { ...result, ok: false, uploaded: [], deleted: [], bytes: 0 };
  }
  let done = 0;
  let sentTotal = 0;
  await Promise.all(
    plan.upload.map((u) =>
      limit(async () => {
        let last = 0;
        await store.upload(u.key, u.abs, u.size, partSizeFor(u.size), (sent) => {
          sentTotal += sent - last;
          last = sent;
          options.onProgress?.(done, plan.upload.length, sentTotal);
        });
        done += 1;
        options.onProgress?.(done, plan.upload.length, sentTotal);
      }),
    ),
  );
  if (plan.remove.length > 0) await store.remove(plan.remove);
  return result;
}

export function formatSync(result: SyncResult): string {
  const target = `s3://${result.bucket}/${result.prefix}`;
  const lines = [
    ...result.uploaded.map(
      (u) => `${result.dryRun ? "would upload" : "uploaded"} ${u.key} (${u.reason}, ${u.size} bytes)`,
    ),
    ...result.deleted.map((k) => `${result.dryRun ? "would delete" : "deleted"} ${k}`),
  ];
  const verb = result.dryRun ? "Dry run: would upload" : "Uploaded";
  lines.push(
    `${verb} ${result.uploaded.length} file(s) (${result.bytes} bytes) to ${target}, ${result.dryRun ? "would delete" : "deleted"} ${result.deleted.length}, ${result.unchanged} unchanged.`,
  );
  if (result.extraRemote > 0)
    lines.push(`${result.extraRemote} remote file(s) are not in the repository; --delete removes them.`);
  return lines.join("\n");
}

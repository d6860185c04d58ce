/**
 * `models sync`: make s3://<model bucket>/<triton.modelRepositoryPath>/ hold exactly the local repository.
 * Files compare by size and by the ETag S3 would give them: MD5 for a single-part upload, MD5 of the part
 * MD5s plus "-N" for multipart. Parts are 8 MiB (the AWS CLI's default, so a bucket filled by `aws s3 sync`
 * compares equal) and grow for files over 80 GB so no upload needs more than 10,000 parts.
 *
 * Every file is read at most once per run, as a stream, and none is ever held whole in memory:
 * - a file with no remote object, or one of another size, is uploaded without hashing first; the ETag the
 *   bucket answers is kept in the checksum cache (etag-cache.ts), so nothing is hashed on the way up;
 * - a file whose size matches takes its ETag from the cache when its size and mtime are unchanged, and is
 *   hashed only otherwise.
 * So an unchanged tree is compared from one listing and one stat per file, without reading any file.
 */
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import pLimit from "p-limit";
import type { ModelStore, RemoteObject } from "../aws/model-store.js";
import { withSteadyYoungGeneration } from "../io/heap.js";
import { type EtagCache, openEtagCache } from "./etag-cache.js";

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
  mtimeMs: number;
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
        out.push({
          rel: path.relative(root, abs).split(path.sep).join("/"),
          abs,
          size: info.size,
          mtimeMs: info.mtimeMs,
        });
      }),
    );
  };
  await visit(root);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

/** The ETag S3 gives a file of `size` bytes uploaded with partSizeFor(size), fed its bytes in order. */
export class EtagHasher {
  private readonly part: number;
  private readonly whole: Hash | undefined;
  private current: Hash = createHash("md5");
  private inPart = 0;
  private readonly partDigests: Buffer[] = [];

  constructor(size: number) {
    this.part = partSizeFor(size);
    this.whole = size <= this.part ? createHash("md5") : undefined;
  }

  update(chunk: Buffer): void {
    if (this.whole) {
      this.whole.update(chunk);
      return;
    }
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.part - this.inPart, chunk.length - offset);
      this.current.update(chunk.subarray(offset, offset + take));
      this.inPart += take;
      offset += take;
      if (this.inPart === this.part) {
        this.partDigests.push(this.current.digest());
        this.current = createHash("md5");
        this.inPart = 0;
      }
    }
  }

  digest(): string {
    if (this.whole) return this.whole.digest("hex");
    if (this.inPart > 0) this.partDigests.push(this.current.digest());
    return multipartEtag(this.partDigests);
  }
}

/** S3's multipart ETag: the MD5 of the parts' MD5s, then "-" and the number of parts. */
function multipartEtag(partDigests: readonly Buffer[]): string {
  return `${createHash("md5").update(Buffer.concat(partDigests)).digest("hex")}-${partDigests.length}`;
}

/** The ETag S3 gives this file when uploaded with partSizeFor(size), computed by streaming it once. */
export async function localEtag(file: string, size: number): Promise<string> {
  const hasher = new EtagHasher(size);
  for await (const chunk of createReadStream(file, { highWaterMark: MIB }) as AsyncIterable<Buffer>) {
    hasher.update(chunk);
  }
  return hasher.digest();
}

export interface SyncPlan {
  upload: Array<LocalFile & { key: string; reason: "new" | "changed" }>;
  remove: string[];
  unchanged: number;
}

/**
 * Pure: what to upload and delete, given the local files and the remote listing. `etagOf` is asked only for
 * a file whose remote object has the same size (any other is new or changed whatever its bytes); it
 * returns undefined when the file has not been hashed yet, and the file is then in `toHash`.
 */
export function planSync(
  local: LocalFile[],
  remote: RemoteObject[],
  prefix: string,
  withDelete: boolean,
  etagOf: (file: LocalFile) => string | undefined,
): SyncPlan & { toHash: LocalFile[] } {
  const byKey = new Map(remote.map((o) => [o.key, o]));
  const plan: SyncPlan & { toHash: LocalFile[] } = { upload: [], remove: [], unchanged: 0, toHash: [] };
  const keys = new Set<string>();
  for (const f of local) {
    const key = `${prefix}${f.rel}`;
    keys.add(key);
    const there = byKey.get(key);
    if (!there) {
      plan.upload.push({ ...f, key, reason: "new" });
      continue;
    }
    if (there.size !== f.size) {
      plan.upload.push({ ...f, key, reason: "changed" });
      continue;
    }
    const etag = etagOf(f);
    if (etag === undefined) plan.toHash.push(f);
    else if (etag !== there.etag) plan.upload.push({ ...f, key, reason: "changed" });
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
  /** Files read to compute their checksum before comparing (not in the cache, or changed mtime). */
  hashed: number;
}

export interface SyncOptions {
  root: string;
  bucket: string;
  prefix: string;
  delete: boolean;
  dryRun: boolean;
  concurrency?: number;
  /** The checksum cache's file (etag-cache.ts); without one every compared file is hashed. */
  cacheFile?: string;
  /** The prefix's listing, when the caller has already asked for it (else runSync lists it). */
  listing?: Promise<RemoteObject[]>;
  onProgress?: (done: number, total: number, bytes: number) => void;
  /** Asked before anything changes when the plan deletes remote files; false leaves everything as it is. */
  confirmRemove?: (keys: string[]) => Promise<boolean>;
}

/** Multipart uploads in flight at once (their parts share the store's pool of PART_BUFFERS buffers). */
const MULTIPART_AT_ONCE = 2;

export async function runSync(store: ModelStore, options: SyncOptions): Promise<SyncResult> {
  const limit = pLimit(options.concurrency ?? 8);
  const multipart = pLimit(MULTIPART_AT_ONCE);
  const cache: EtagCache = await openEtagCache(options.cacheFile);
  const [files, remote] = await Promise.all([
    walkFiles(options.root),
    options.listing ?? store.list(options.prefix),
  ]);
  const computed = new Map<string, string>();
  const etagOf = (f: LocalFile) => computed.get(f.abs) ?? cache.get(f.abs, f.size, f.mtimeMs);
  try {
    const toHash = planSync(files, remote, options.prefix, true, etagOf).toHash;
    await Promise.all(
      toHash.map((f) =>
        limit(async () => {
          const etag = await localEtag(f.abs, f.size);
          computed.set(f.abs, etag);
          cache.set(f.abs, { size: f.size, mtimeMs: f.mtimeMs, etag });
        }),
      ),
    );
    const full = planSync(files, remote, options.prefix, true, etagOf);
    const plan: SyncPlan = options.delete ? full : { ...full, remove: [] };
    const result: SyncResult = {
      ok: true,
      bucket: options.bucket,
      prefix: options.prefix,
      dryRun: options.dryRun,
      uploaded: plan.upload.map((u) => ({ key: u.key, size: u.size, reason: u.reason })),
      deleted: plan.remove,
      unchanged: plan.unchanged,
      extraRemote: full.remove.length - plan.remove.length,
      bytes: plan.upload.reduce((n, u) => n + u.size, 0),
      hashed: toHash.length,
    };
    if (options.dryRun) return result;
    if (plan.remove.length > 0 && options.confirmRemove && !(await options.confirmRemove(plan.remove))) {
      return { ...result, ok: false, uploaded: [], deleted: [], bytes: 0 };
    }
    let done = 0;
    let sentTotal = 0;
    const uploadOne = async (u: SyncPlan["upload"][number]) => {
      let last = 0;
      const etag = await store.upload(u.key, u.abs, u.size, partSizeFor(u.size), {
        onBytes: (sent) => {
          sentTotal += sent - last;
          last = sent;
          options.onProgress?.(done, plan.upload.length, sentTotal);
        },
      });
      cache.set(u.abs, { size: u.size, mtimeMs: u.mtimeMs, etag });
      done += 1;
      options.onProgress?.(done, plan.upload.length, sentTotal);
    };
    // Largest first: the longest upload starts at once and the small files fill the other slots beside it.
    // Many uploads in flight would make V8 grow its young generation to its limit (heap.ts): 30 MB of the
    // peak on Node 26, for no speed.
    const bySize = [...plan.upload].sort((a, b) => b.size - a.size);
    await withSteadyYoungGeneration(() =>
      Promise.all(
        bySize.map((u) =>
          u.size > partSizeFor(u.size)
            ? multipart(() => limit(() => uploadOne(u)))
            : limit(() => uploadOne(u)),
        ),
      ),
    );
    if (plan.remove.length > 0) await store.remove(plan.remove);
    return result;
  } finally {
    // Kept even when an upload fails: what was hashed or sent need not be read again next time.
    cache.prune(path.resolve(options.root), new Set(files.map((f) => f.abs)));
    await cache.save().catch(() => undefined);
  }
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

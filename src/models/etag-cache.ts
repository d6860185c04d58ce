/**
 * The checksum cache of `models sync`: the S3-style ETag of each local file, keyed by its absolute path,
 * size and modification time, so a re-sync of an unchanged tree reads no file. A changed size or mtime
 * (to the nanosecond the file system keeps) means the file is hashed again. The trade-off is rsync's and
 * `aws s3 sync`'s: an edit that keeps both size and mtime is not seen; deleting the file forces a re-hash.
 * It lives in the project's environment directory (.triton-ops/<env>/models-sync-cache.json), beside the
 * Terraform state of the bucket it describes; a missing, unreadable or foreign file is an empty cache.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../fs-util.js";

export const ETAG_CACHE_FILE = "models-sync-cache.json";
const VERSION = 1;

export interface EtagCacheEntry {
  size: number;
  /** stat's mtimeMs, kept whole (sub-millisecond digits included). */
  mtimeMs: number;
  etag: string;
}

export interface EtagCache {
  /** The cached ETag when the file's size and mtime are those it was hashed at. */
  get(abs: string, size: number, mtimeMs: number): string | undefined;
  set(abs: string, entry: EtagCacheEntry): void;
  /** Drops entries under root that were not seen this run (files deleted or renamed). */
  prune(root: string, seen: ReadonlySet<string>): void;
  save(): Promise<void>;
}

interface CacheDocument {
  version: number;
  files: Record<string, EtagCacheEntry>;
}

function isEntry(value: unknown): value is EtagCacheEntry {
  const e = value as EtagCacheEntry;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.size === "number" &&
    typeof e.mtimeMs === "number" &&
    typeof e.etag === "string"
  );
}

/** The cache at file; undefined file gives one that remembers nothing (nothing is written). */
export async function openEtagCache(file: string | undefined): Promise<EtagCache> {
  const files = new Map<string, EtagCacheEntry>();
  if (file) {
    try {
      const doc = JSON.parse(await readFile(file, "utf8")) as CacheDocument;
      if (doc.version === VERSION && doc.files && typeof doc.files === "object") {
        for (const [abs, entry] of Object.entries(doc.files)) if (isEntry(entry)) files.set(abs, entry);
      }
    } catch {
      // No cache yet, or one this version cannot read: every file is hashed once and the cache rewritten.
    }
  }
  let dirty = false;
  return {
    get(abs, size, mtimeMs) {
      const e = files.get(abs);
      return e && e.size === size && e.mtimeMs === mtimeMs ? e.etag : undefined;
    },
    set(abs, entry) {
      files.set(abs, entry);
      dirty = true;
    },
    prune(root, seen) {
      const under = root.endsWith(path.sep) ? root : `${root}${path.sep}`;
      for (const abs of files.keys()) {
        if (abs.startsWith(under) && !seen.has(abs)) {
          files.delete(abs);
          dirty = true;
        }
      }
    },
    async save() {
      if (!file || !dirty) return;
      const doc: CacheDocument = { version: VERSION, files: Object.fromEntries(files) };
      // Atomic, so a sync that is interrupted or runs twice never leaves half a file.
      await writeFileAtomic(file, JSON.stringify(doc), { secret: true });
      dirty = false;
    },
  };
}

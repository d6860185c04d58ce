import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { ModelStore, RemoteObject } from "../aws/model-store.js";
import { EtagHasher, localEtag, MIB, runSync } from "./sync.js";

/**
 * A bucket in memory (the emulator-backed runs are in test/e2e/models-sync-*): it keeps each object's
 * bytes and gives single-part objects the ETag S3 gives them, the MD5 of the bytes it received.
 */
function memoryStore(): ModelStore & { objects: Map<string, Buffer>; uploads: string[] } {
  const objects = new Map<string, Buffer>();
  const uploads: string[] = [];
  return {
    objects,
    uploads,
    async list(prefix): Promise<RemoteObject[]> {
      return [...objects]
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, bytes]) => ({
          key,
          size: bytes.length,
          etag: createHash("md5").update(bytes).digest("hex"),
        }));
    },
    async upload(key, file, size) {
      const bytes = await readFile(file);
      if (bytes.length !== size) throw new Error(`${key}: got ${bytes.length} bytes, announced ${size}`);
      objects.set(key, bytes);
      uploads.push(key);
      return createHash("md5").update(bytes).digest("hex");
    },
    async remove(keys) {
      for (const k of keys) objects.delete(k);
    },
    close() {},
  };
}

describe("models sync with the checksum cache", () => {
  let root: string;
  let cacheFile: string;
  let store: ReturnType<typeof memoryStore>;
  const sync = (extra: { cacheFile?: string; dryRun?: boolean } = {}) =>
    runSync(store, {
      root,
      bucket: "b",
      prefix: "models/",
      delete: false,
      dryRun: false,
      cacheFile,
      ...extra,
    });
  const past = (seconds: number) => new Date(Date.now() - seconds * 1000);

  beforeEach(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "sync-cache-"));
    root = path.join(dir, "models");
    cacheFile = path.join(dir, ".triton-ops", "dev", "models-sync-cache.json");
    await mkdir(path.join(root, "a", "1"), { recursive: true });
    await writeFile(path.join(root, "a", "config.pbtxt"), 'name: "a"\n');
    await writeFile(path.join(root, "a", "1", "model.py"), "print(1)\n");
    await writeFile(path.join(root, "a", "1", "weights.bin"), "0123456789");
    store = memoryStore();
  });

  it("uploads a new tree without hashing first, then an unchanged tree reads no file and uploads nothing", async () => {
    const first = await sync();
    expect(first.uploaded).toHaveLength(3);
    expect(first.hashed).toBe(0);
    const second = await sync();
    expect(second).toMatchObject({ uploaded: [], unchanged: 3, hashed: 0 });
    expect(store.uploads).toHaveLength(3);
    // The cache holds the ETag the bucket answered for each file.
    const cached = JSON.parse(await readFile(cacheFile, "utf8")).files;
    expect(cached[path.join(root, "a", "1", "weights.bin")].etag).toBe(
      createHash("md5").update("0123456789").digest("hex"),
    );
  });

  it("a changed file of the same size is hashed and uploaded exactly once", async () => {
    await sync();
    const weights = path.join(root, "a", "1", "weights.bin");
    await writeFile(weights, "9876543210");
    await utimes(weights, past(30), past(30));
    const run = await sync();
    expect(run).toMatchObject({ hashed: 1, unchanged: 2 });
    expect(run.uploaded).toEqual([{ key: "models/a/1/weights.bin", size: 10, reason: "changed" }]);
    expect(store.objects.get("models/a/1/weights.bin")?.toString()).toBe("9876543210");
    expect(await sync()).toMatchObject({ uploaded: [], hashed: 0, unchanged: 3 });
    expect(store.uploads.filter((k) => k.endsWith("weights.bin"))).toHaveLength(2);
  });

  it("a new mtime alone re-hashes the file but uploads nothing; a new size uploads without hashing", async () => {
    await sync();
    const model = path.join(root, "a", "1", "model.py");
    await utimes(model, past(90), past(90));
    expect(await sync()).toMatchObject({ uploaded: [], hashed: 1, unchanged: 3 });
    await writeFile(model, "print(22)\n");
    const grown = await sync();
    expect(grown).toMatchObject({ hashed: 0, uploaded: [{ key: "models/a/1/model.py", reason: "changed" }] });
  });

  it("without a cache every compared file is hashed; an unreadable cache is an empty one", async () => {
    await sync();
    expect(await sync({ cacheFile: path.join(root, "..", "nowhere", "c.json") })).toMatchObject({
      uploaded: [],
      hashed: 3,
    });
    await writeFile(cacheFile, "{ not json");
    expect(await sync()).toMatchObject({ uploaded: [], hashed: 3, unchanged: 3 });
    expect(await sync()).toMatchObject({ hashed: 0 });
  });

  it("a dry run fills the cache with what it hashed and uploads nothing", async () => {
    await sync();
    const weights = path.join(root, "a", "1", "weights.bin");
    await writeFile(weights, "abcdefghij");
    await utimes(weights, past(10), past(10));
    const dry = await sync({ dryRun: true });
    expect(dry).toMatchObject({
      hashed: 1,
      uploaded: [{ key: "models/a/1/weights.bin", reason: "changed" }],
    });
    expect(store.objects.get("models/a/1/weights.bin")?.toString()).toBe("0123456789");
    // The real run knows the new checksum already: nothing is read before the upload.
    expect(await sync()).toMatchObject({ hashed: 0, uploaded: [{ key: "models/a/1/weights.bin" }] });
    expect(store.objects.get("models/a/1/weights.bin")?.toString()).toBe("abcdefghij");
  });
});

describe("EtagHasher", () => {
  it("gives S3's multipart ETag: MD5 of the part MD5s and the part count, fed in any chunking", async () => {
    const size = 8 * MIB + 5;
    const bytes = Buffer.alloc(size, 7);
    bytes[size - 1] = 1;
    const partA = createHash("md5")
      .update(bytes.subarray(0, 8 * MIB))
      .digest();
    const partB = createHash("md5")
      .update(bytes.subarray(8 * MIB))
      .digest();
    const expected = `${createHash("md5")
      .update(Buffer.concat([partA, partB]))
      .digest("hex")}-2`;
    const hasher = new EtagHasher(size);
    for (let i = 0; i < size; i += 3 * MIB + 1) hasher.update(bytes.subarray(i, i + 3 * MIB + 1));
    expect(hasher.digest()).toBe(expected);
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), "etag-")), "f");
    await writeFile(file, bytes);
    expect(await localEtag(file, size)).toBe(expected);
  });
});

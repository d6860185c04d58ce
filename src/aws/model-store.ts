// The model bucket as `models sync` needs it: list what is there, stream files up (multipart for large
// ones), delete what is gone. Implements the use case's ModelStore interface.
//
// Uploads read each file part by part into buffers from one fixed pool, and answer the ETag S3 gave the
// object, so the caller need not hash the bytes on their way up (MD5 would be the costliest thing done per
// part: 12 ms per 8 MiB here, against 5 ms for the signature's SHA-256 and 2 ms for the CRC32).
// @aws-sdk/lib-storage's Upload was used here first: it gathers a stream into parts by concatenating chunks, allocating every byte twice, and on
// the 2-core test machine a 1 GB upload peaked at 200-230 MB of RSS (112 MB of it the CLI at rest) while
// the same bytes through the pool stay near the pool's size above that. A pool also makes the bound one
// number: PART_BUFFERS x the part size, however many files and parts are in flight.
import { open } from "node:fs/promises";
import { awsErrorName, messageOf } from "../errors.js";
import { type AwsContext, awsClientConfig, toAwsError } from "./clients.js";
import {
  type ListPage,
  type RemoteObject,
  readListPage,
  unquotedEtag,
  urlDecodedKey,
} from "./s3-list-page.js";
import { sdk as awsSdk } from "./sdk.js";

export type { RemoteObject };

export interface UploadHooks {
  /** Bytes of this file sent so far. */
  onBytes?: (sent: number) => void;
}

export interface ModelStore {
  list(prefix: string): Promise<RemoteObject[]>;
  /**
   * Streams one file of `size` bytes to key: one PutObject when it fits one part, else a multipart upload
   * of partSize parts (so the ETag is predictable). Memory is bounded by the pool, whatever the size.
   * Answers the ETag the bucket gave the object, without quotes (what a later listing shows).
   */
  upload(key: string, file: string, size: number, partSize: number, hooks?: UploadHooks): Promise<string>;
  remove(keys: string[]): Promise<void>;
  close(): void;
}

/** Part buffers held at most, across all uploads of one store: 6 x 8 MiB = 48 MiB. */
export const PART_BUFFERS = 6;
/**
 * Parts of one multipart upload in flight at once: as many as the pool holds, so one large file alone can
 * use all of it (at 4, a 2 GB sync to the emulator took 1.75x as long as `aws s3 sync`, which sends 10).
 */
const PARTS_PER_FILE = PART_BUFFERS;
/** Files this small are read into a buffer of their own size rather than take a pool buffer. */
const SMALL_FILE = 256 * 1024;

/** A fixed set of equal buffers handed out and returned; a request waits while all are out. */
class BufferPool {
  private readonly free: Buffer[] = [];
  private readonly waiting: Array<(b: Buffer) => void> = [];
  private made = 0;
  constructor(
    readonly bufferSize: number,
    private readonly count: number,
  ) {}
  async acquire(): Promise<Buffer> {
    const ready = this.free.pop();
    if (ready) return ready;
    if (this.made < this.count) {
      this.made += 1;
      return Buffer.allocUnsafeSlow(this.bufferSize);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  release(buffer: Buffer): void {
    const next = this.waiting.shift();
    if (next) next(buffer);
    else this.free.push(buffer);
  }
}

function etagOf(etag: string | undefined, call: string): string {
  if (!etag) throw new Error(`${call} was answered without an ETag`);
  return unquotedEtag(etag);
}

async function readAt(file: import("node:fs/promises").FileHandle, into: Buffer, length: number, at: number) {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await file.read(into, got, length - got, at + got);
    if (bytesRead === 0)
      throw new Error(`the file ended ${length - got} bytes early (changed while syncing?)`);
    got += bytesRead;
  }
  return into.subarray(0, length);
}

type S3Sdk = ReturnType<typeof awsSdk.s3>;
type S3 = InstanceType<S3Sdk["S3Client"]>;

/** An HTTP answer as the SDK's deserialize step hands it on: the body a stream or bytes. */
interface RawResponse {
  statusCode: number;
  body?: unknown;
}

/**
 * Pages this process read itself and pages it left to the SDK. Read by the listing's own test, which has
 * no other way to tell the fast path from the fallback: both answer the same list.
 */
export const listPageStats = { read: 0, sdk: 0 };

const EMPTY_LIST = new TextEncoder().encode("<ListBucketResult></ListBucketResult>");

async function bytesOf(body: unknown): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * One ListObjectsV2 page, keys url-encoded on the wire (XML 1.0 cannot carry every character a key may
 * hold) and decoded here. A successful answer is read by readListPage, which is 50 times cheaper than the
 * SDK's deserializer; the SDK then parses an empty result. Everything else stays the SDK's: signing,
 * retries, S3's 200-with-<Error> check (which runs before this), error answers, and any page readListPage
 * is not sure of.
 */
async function listPage(
  s3: S3,
  sdk: S3Sdk,
  bucket: string,
  prefix: string,
  token?: string,
): Promise<ListPage> {
  const command = new sdk.ListObjectsV2Command({
    Bucket: bucket,
    Prefix: prefix,
    EncodingType: "url",
    ...(token === undefined ? {} : { ContinuationToken: token }),
  });
  let lean: ListPage | undefined;
  command.middlewareStack.addRelativeTo(
    <A, R extends { response: unknown }>(next: (args: A) => Promise<R>) =>
      async (args: A): Promise<R> => {
        const result = await next(args);
        const response = result.response as RawResponse;
        lean = undefined;
        if (response.statusCode !== 200) return result;
        const bytes = await bytesOf(response.body);
        lean = readListPage(bytes.toString("utf8"));
        response.body = lean ? EMPTY_LIST : bytes;
        return result;
      },
    { name: "tritonOpsListPage", relation: "before", toMiddleware: "throw200ExceptionsMiddleware" },
  );
  const output = await s3.send(command);
  if (lean) {
    listPageStats.read += 1;
    return lean;
  }
  listPageStats.sdk += 1;
  // The SDK read the page: decode the keys only if S3 says it encoded them.
  const decode = output.EncodingType === "url" ? urlDecodedKey : (key: string) => key;
  const objects = (output.Contents ?? []).flatMap((o) =>
    o.Key ? [{ key: decode(o.Key), size: o.Size ?? 0, etag: unquotedEtag(o.ETag ?? "") }] : [],
  );
  if (!output.IsTruncated) return { objects };
  if (!output.NextContinuationToken) throw new Error("a truncated listing came without a continuation token");
  return { objects, next: output.NextContinuationToken };
}

export async function openModelStore(aws: AwsContext, bucket: string): Promise<ModelStore> {
  const sdk = awsSdk.s3();
  // No `Expect: 100-continue`: the SDK sends a request that carries it on a new connection of its own, closed
  // after the answer, so every part paid a new TCP (and, on AWS, TLS) handshake. Without it the parts reuse
  // the client's kept-alive connections, as the AWS CLI's do; a refused part costs one part's bytes.
  const s3 = new sdk.S3Client({ ...awsClientConfig(aws, "S3"), expectContinueHeader: false });
  const pools = new Map<number, BufferPool>();
  // Parts larger than 8 MiB (files over 80 GB) get a pool of their own size, holding as many bytes.
  const poolFor = (partSize: number) => {
    let pool = pools.get(partSize);
    if (!pool) {
      const count = Math.max(1, Math.floor((PART_BUFFERS * 8 * 1024 * 1024) / partSize));
      pool = new BufferPool(partSize, count);
      pools.set(partSize, pool);
    }
    return pool;
  };
  /** Reads bytes [at, at+length) into a buffer, lets `use` send it, then gives the buffer back. */
  const withPart = async <T>(
    handle: import("node:fs/promises").FileHandle,
    partSize: number,
    length: number,
    at: number,
    use: (bytes: Buffer) => Promise<T>,
  ): Promise<T> => {
    if (length <= SMALL_FILE) return use(await readAt(handle, Buffer.allocUnsafe(length), length, at));
    const pool = poolFor(partSize);
    const buffer = await pool.acquire();
    try {
      return await use(await readAt(handle, buffer, length, at));
    } finally {
      pool.release(buffer);
    }
  };

  const uploadFile = async (
    key: string,
    file: string,
    size: number,
    partSize: number,
    hooks: UploadHooks,
  ) => {
    const handle = await open(file, "r");
    try {
      if (size <= partSize) {
        const put = await withPart(handle, partSize, size, 0, (bytes) =>
          s3.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentLength: size })),
        );
        hooks.onBytes?.(size);
        return etagOf(put.ETag, "PutObject");
      }
      // The upload names CRC32, the checksum the SDK puts on every part anyway (as the AWS CLI does). S3
      // refuses a part carrying a checksum the upload did not name ("Checksum Type mismatch ... expected
      // checksum Type: null"); moto accepts it, but gives such an upload S3's default full-object
      // CRC64NVME, computed over the whole object at completion in Python: 6.5 s of a 2 GB upload's 40 s.
      const created = await s3.send(
        new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: "CRC32" }),
      );
      const uploadId = created.UploadId;
      if (!uploadId) throw new Error("CreateMultipartUpload answered without an UploadId");
      const count = Math.ceil(size / partSize);
      const parts: Array<{ ETag: string; PartNumber: number; ChecksumCRC32: string | undefined }> = new Array(
        count,
      );
      let next = 0;
      let sent = 0;
      let failed = false;
      const worker = async () => {
        while (!failed && next < count) {
          const index = next++;
          const at = index * partSize;
          const length = Math.min(partSize, size - at);
          const out = await withPart(handle, partSize, length, at, (bytes) =>
            s3.send(
              new sdk.UploadPartCommand({
                Bucket: bucket,
                Key: key,
                UploadId: uploadId,
                PartNumber: index + 1,
                Body: bytes,
                ContentLength: length,
                ChecksumAlgorithm: "CRC32",
              }),
            ),
          );
          if (!out.ETag) throw new Error(`part ${index + 1} was answered without an ETag`);
          parts[index] = { ETag: out.ETag, PartNumber: index + 1, ChecksumCRC32: out.ChecksumCRC32 };
          sent += length;
          hooks.onBytes?.(sent);
        }
      };
      const guarded = () =>
        worker().catch((error: unknown) => {
          failed = true; // the other workers stop taking parts
          throw error;
        });
      try {
        await Promise.all(Array.from({ length: Math.min(PARTS_PER_FILE, count) }, guarded));
        const done = await s3.send(
          new sdk.CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        );
        return etagOf(done.ETag, "CompleteMultipartUpload");
      } catch (error) {
        // No half upload is left behind to be billed: the parts sent so far are discarded.
        await s3
          .send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
          .catch(() => undefined);
        throw error;
      }
    } finally {
      await handle.close();
    }
  };

  return {
    async list(prefix) {
      const out: RemoteObject[] = [];
      let token: string | undefined;
      try {
        do {
          const page = await listPage(s3, sdk, bucket, prefix, token);
          out.push(...page.objects);
          if (page.next !== undefined && page.next === token)
            throw new Error(`the listing repeated its continuation token after ${out.length} object(s)`);
          token = page.next;
        } while (token !== undefined);
      } catch (error) {
        throw toAwsError(error, `list s3://${bucket}/${prefix}`);
      }
      return out;
    },
    async upload(key, file, size, partSize, hooks = {}) {
      try {
        return await uploadFile(key, file, size, partSize, hooks);
      } catch (error) {
        throw toAwsError(error, `upload s3://${bucket}/${key}`);
      }
    },
    async remove(keys) {
      for (let i = 0; i < keys.length; i += 1000) {
        const batch = keys.slice(i, i + 1000);
        try {
          const out = await s3.send(
            new sdk.DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
            }),
          );
          const failed = out.Errors?.[0];
          if (failed)
            throw Object.assign(new Error(`${failed.Key}: ${failed.Message}`), {
              name: failed.Code ?? "DeleteFailed",
            });
        } catch (error) {
          throw toAwsError(error, `delete ${batch.length} object(s) from s3://${bucket}`);
        }
      }
    },
    close: () => s3.destroy(),
  };
}

/** What a caller may do with the model bucket under a prefix: true, or the error S3 answered. */
export interface BucketAccess {
  /** False when S3 says NoSuchBucket (then list and write carry that error too). */
  exists: boolean;
  list: true | string;
  write: true | string;
}

/**
 * Finds whether the caller may list and write bucket/prefix, without changing the bucket: ListObjectsV2 of
 * one key needs s3:ListBucket; CreateMultipartUpload needs s3:PutObject on the key, and the upload is aborted
 * at once (s3:AbortMultipartUpload), so no object is made and no listing ever shows it.
 */
export async function probeModelBucket(
  aws: AwsContext,
  bucket: string,
  prefix: string,
): Promise<BucketAccess> {
  const sdk = awsSdk.s3();
  const s3 = new sdk.S3Client(awsClientConfig(aws, "S3"));
  const answer = (error: unknown) => `${awsErrorName(error) ?? "Error"}: ${messageOf(error)}`;
  try {
    const list = await s3
      .send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }))
      .then(() => true as const, answer);
    if (typeof list === "string" && list.startsWith("NoSuchBucket")) {
      return { exists: false, list, write: list };
    }
    const Key = `${prefix}.triton-ops-access-probe`;
    const write = await s3.send(new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key })).then(
      (created) =>
        s3
          .send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId: created.UploadId }))
          .then(
            () => true as const,
            // Said, not hidden: an incomplete upload of no bytes is left until a lifecycle rule aborts it.
            (error: unknown) => `may create uploads but not abort them (${answer(error)})`,
          ),
      answer,
    );
    return { exists: true, list, write };
  } finally {
    s3.destroy();
  }
}

// The model bucket as `models sync` needs it: list what is there, stream files up (multipart for large
// ones, through @aws-sdk/lib-storage), delete what is gone. Implements the use case's ModelStore interface.
import { createReadStream } from "node:fs";
import { type AwsContext, awsClientConfig, toAwsError } from "./clients.js";
import { sdk as awsSdk } from "./sdk.js";

export interface RemoteObject {
  key: string;
  size: number;
  /** The ETag without quotes: an MD5 for single-part uploads, md5-of-md5s plus "-N" for multipart. */
  etag: string;
}

export interface ModelStore {
  list(prefix: string): Promise<RemoteObject[]>;
  /** Streams one file to key; partSize decides multipart, so the ETag is predictable. */
  upload(
    key: string,
    file: string,
    size: number,
    partSize: number,
    onBytes?: (sent: number) => void,
  ): Promise<void>;
  remove(keys: string[]): Promise<void>;
  close(): void;
}

export async function openModelStore(aws: AwsContext, bucket: string): Promise<ModelStore> {
  const sdk = awsSdk.s3();
  const { Upload } = awsSdk.libStorage();
  const s3 = new sdk.S3Client(awsClientConfig(aws, "S3"));
  return {
    async list(prefix) {
      const out: RemoteObject[] = [];
      try {
        for await (const page of sdk.paginateListObjectsV2(
          { client: s3 },
          { Bucket: bucket, Prefix: prefix },
        )) {
          for (const o of page.Contents ?? []) {
            if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0, etag: (o.ETag ?? "").replaceAll('"', "") });
          }
        }
      } catch (error) {
        throw toAwsError(error, `list s3://${bucket}/${prefix}`);
      }
      return out;
    },
    async upload(key, file, size, partSize, onBytes) {
      const upload = new Upload({
        client: s3,
        params: { Bucket: bucket, Key: key, Body: createReadStream(file), ContentLength: size },
        partSize,
        // Parts in flight per file; files themselves are uploaded a few at a time by the caller.
        queueSize: 4,
        leavePartsOnError: false,
      });
      if (onBytes) upload.on("httpUploadProgress", (p) => onBytes(p.loaded ?? 0));
      try {
        await upload.done();
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

// The model bucket's listing, which decides what `models sync` uploads and what `--delete` removes, read
// through the real S3 client over loopback HTTP: canned ListObjectsV2 answers (written to the S3 API
// reference, see test/support/s3-list-xml.ts) held against the SDK's own reading of the same bytes, and
// the moto emulator with awkward keys, held against the AWS CLI's reading.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { execa } from "execa";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Moto, startTestMoto } from "../../test/support/moto.js";
import { type CannedObject, listBucketResult, type PageOptions } from "../../test/support/s3-list-xml.js";
import type { AwsContext } from "./clients.js";
import { listPageStats, type ModelStore, openModelStore } from "./model-store.js";
import { urlDecodedKey } from "./s3-list-page.js";

const CREDENTIALS = { AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" };

/** A loopback S3 that answers ListObjectsV2 for one bucket from `answer`, and records the queries. */
async function cannedS3(answer: (query: URLSearchParams) => { status: number; body: string }) {
  const queries: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    queries.push(url.searchParams);
    const { status, body } =
      (url.pathname === "/models" || url.pathname === "/models/") && url.searchParams.get("list-type") === "2"
        ? answer(url.searchParams)
        : { status: 400, body: "<Error><Code>InvalidRequest</Code><Message>not a listing</Message></Error>" };
    res.writeHead(status, { "content-type": "application/xml" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const aws: AwsContext = {
    region: "us-east-1",
    env: { ...CREDENTIALS, AWS_ENDPOINT_URL_S3: endpoint },
    sandbox: true,
  };
  return { aws, endpoint, queries, close: () => new Promise((resolve) => server.close(resolve)) };
}

type CannedS3 = Awaited<ReturnType<typeof cannedS3>>;

/** Runs `use` against a model store on a canned S3, and closes both whatever happens. */
async function withCannedStore(
  answer: Parameters<typeof cannedS3>[0],
  use: (store: ModelStore, s3: CannedS3) => Promise<void>,
): Promise<void> {
  const s3 = await cannedS3(answer);
  const store = await openModelStore(s3.aws, "models");
  try {
    await use(store, s3);
  } finally {
    store.close();
    await s3.close();
  }
}

/** Pages served by continuation token: page i answers token `t${i}` (page 0 answers none). */
function paged(pages: CannedObject[][], encoding: PageOptions["encoding"]) {
  return (query: URLSearchParams) => {
    const token = query.get("continuation-token");
    const i = token === null ? 0 : Number(token.slice(1));
    if (encoding !== "none" && query.get("encoding-type") !== "url")
      return {
        status: 400,
        body: "<Error><Code>Test</Code><Message>encoding-type=url not asked</Message></Error>",
      };
    const next = i + 1 < pages.length ? `t${i + 1}` : undefined;
    return {
      status: 200,
      body: listBucketResult(pages[i] ?? [], { encoding, next, ...(token ? { token } : {}) }),
    };
  };
}

/** The same listing as the SDK reads it, keys decoded when S3 says it encoded them. */
async function sdkListing(endpoint: string): Promise<CannedObject[]> {
  const s3 = new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  const out: CannedObject[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: "models",
        Prefix: "",
        EncodingType: "url",
        ContinuationToken: token,
      }),
    );
    for (const o of page.Contents ?? [])
      out.push({
        key: page.EncodingType === "url" ? urlDecodedKey(o.Key ?? "") : (o.Key ?? ""),
        size: o.Size ?? -1,
        etag: (o.ETag ?? "").replaceAll('"', ""),
      });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  s3.destroy();
  return out;
}

const key = fc
  .array(
    fc.oneof(
      fc.constantFrom(" ", "+", "%", "%2B", "&", "<", "'", '"', "/", "é", "한", "😀", "\n"),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 3 }),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(""));
const object = fc.record({
  key,
  size: fc.integer({ min: 0, max: 2 ** 40 }),
  etag: fc.stringMatching(/^[0-9a-f]{32}(-[1-9][0-9]?)?$/),
});

describe("the model bucket's listing, over HTTP through the S3 client", () => {
  it("reads what the SDK reads, page after page, whether S3 or moto encoded the keys", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(object, { maxLength: 6 }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom("s3" as const, "moto" as const),
        (pages, encoding) =>
          withCannedStore(paged(pages, encoding), async (store, s3) => {
            const before = { ...listPageStats };
            const listed = await store.list("");
            expect(listed).toEqual(pages.flat());
            // Every page was read by the fast path, none left to the SDK.
            expect(listPageStats.read - before.read).toBe(pages.length);
            expect(listPageStats.sdk).toBe(before.sdk);
            expect(await sdkListing(s3.endpoint)).toEqual(listed);
          }),
      ),
      { numRuns: 40 },
    );
  });

  it("lets the SDK read a page from a store that ignored encoding-type", async () => {
    const objects = [
      { key: "m/1/a & b.onnx", size: 3, etag: "0cc175b9c0f1b6a831c399e269772661" },
      { key: "m/1/<x>'y'.txt", size: 0, etag: "d41d8cd98f00b204e9800998ecf8427e" },
    ];
    await withCannedStore(paged([objects], "none"), async (store) => {
      const before = { ...listPageStats };
      expect(await store.list("m/")).toEqual(objects);
      expect(listPageStats.sdk - before.sdk).toBe(1);
      expect(listPageStats.read).toBe(before.read);
    });
  });

  it("decodes url-encoded keys the same way when the SDK reads a page the reader refused", async () => {
    const objects = [
      { key: "m/1/a b.onnx", size: 1, etag: "0cc175b9c0f1b6a831c399e269772661" },
      { key: "m/1/a+b%2B.onnx", size: 2, etag: "92eb5ffee6ae2fec3ad71c777531578f" },
    ];
    // CommonPrefixes (which this listing never asks for) make the reader step aside.
    const withPrefixes = () => ({
      status: 200,
      body: listBucketResult(objects, { encoding: "s3" }).replace(
        "</ListBucketResult>",
        "<CommonPrefixes><Prefix>m/2/</Prefix></CommonPrefixes></ListBucketResult>",
      ),
    });
    await withCannedStore(withPrefixes, async (store) => {
      const before = { ...listPageStats };
      expect(await store.list("m/")).toEqual(objects);
      expect(listPageStats.sdk - before.sdk).toBe(1);
    });
  });

  it("keeps S3's answers that are errors: a missing bucket's name, and a 200 carrying <Error> retried", async () => {
    const missing = () => ({
      status: 404,
      body: "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>",
    });
    await withCannedStore(missing, async (store) => {
      await expect(store.list("m/")).rejects.toMatchObject({
        message: expect.stringContaining("NoSuchBucket"),
      });
    });

    let answered = 0;
    const objects = [{ key: "m/1/model.onnx", size: 7, etag: "abc" }];
    const flaky = (query: URLSearchParams) => {
      answered += 1;
      return answered === 1
        ? { status: 200, body: "<Error><Code>InternalError</Code><Message>try again</Message></Error>" }
        : paged([objects], "s3")(query);
    };
    await withCannedStore(flaky, async (store) => {
      expect(await store.list("m/")).toEqual(objects);
      expect(answered).toBe(2);
    });
  });

  it("stops on a listing that repeats its continuation token instead of looping", async () => {
    const repeating = () => ({
      status: 200,
      body: listBucketResult([{ key: "k", size: 1, etag: "e" }], {
        encoding: "s3",
        next: "same",
        token: "same",
      }),
    });
    await withCannedStore(repeating, async (store, s3) => {
      await expect(store.list("")).rejects.toThrow(/repeated its continuation token/);
      expect(s3.queries.length).toBe(2);
    });
  });
});

describe("the model bucket's listing on the emulator", () => {
  let moto: Moto;
  let dir: string;
  beforeAll(async () => {
    moto = await startTestMoto();
    dir = await mkdtemp(path.join(os.tmpdir(), "model-store-"));
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("lists awkward keys as the AWS CLI does, and deletes exactly the ones named", async () => {
    const aws: AwsContext = { region: "us-east-1", env: moto.env, sandbox: true };
    const admin = new S3Client({
      region: "us-east-1",
      endpoint: moto.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await admin.send(new CreateBucketCommand({ Bucket: "awkward" }));
    admin.destroy();
    const keys = [
      "m/1/a b.onnx",
      "m/1/a+b.onnx",
      "m/1/100%.txt",
      "m/1/&<>'\".txt",
      "m/1/한글 😀.bin",
      "m/2/x",
    ];
    const store = await openModelStore(aws, "awkward");
    try {
      for (const [i, k] of keys.entries()) {
        const file = path.join(dir, `f${i}`);
        await writeFile(file, "x".repeat(i + 1));
        await store.upload(k, file, i + 1, 8 * 1024 * 1024);
      }
      const read = listPageStats.read;
      const listed = await store.list("m/");
      expect(listPageStats.read - read).toBe(1);
      expect(listed.map((o) => o.key).sort()).toEqual([...keys].sort());
      expect(listed.find((o) => o.key === "m/1/a+b.onnx")?.size).toBe(2);

      const cli = await execa(
        "aws",
        ["s3api", "list-objects-v2", "--bucket", "awkward", "--prefix", "m/", "--output", "json"],
        { env: moto.env },
      );
      const reference = (
        JSON.parse(cli.stdout).Contents as Array<{ Key: string; Size: number; ETag: string }>
      ).map((o) => ({ key: o.Key, size: o.Size, etag: o.ETag.replaceAll('"', "") }));
      expect([...listed].sort((a, b) => a.key.localeCompare(b.key))).toEqual(
        reference.sort((a, b) => a.key.localeCompare(b.key)),
      );

      await store.remove(["m/1/a b.onnx", "m/1/&<>'\".txt"]);
      expect((await store.list("m/")).map((o) => o.key).sort()).toEqual(
        keys.filter((k) => k !== "m/1/a b.onnx" && k !== "m/1/&<>'\".txt").sort(),
      );
    } finally {
      store.close();
    }
  }, 60_000);
});

// ListObjectsV2 answers as S3 and moto write them, for tests of the listing reader. The shapes follow the
// S3 API reference (ListObjectsV2, docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html) and
// what real S3 was observed to write under encoding-type=url: a space as "+", a "+" as "%2B", every other
// byte outside the unreserved set percent-encoded, "/" kept. moto (urllib.parse.quote) writes a space as
// "%20". The encoders here are written from those rules, not from the reader they test.

import type { RemoteObject } from "../../src/aws/s3-list-page.js";

/** An object a canned page lists: what the listing must read back. */
export type CannedObject = RemoteObject;

const UNRESERVED = /[A-Za-z0-9._~/-]/;

function percentEncode(key: string, space: "+" | "%20"): string {
  let out = "";
  for (const ch of key) {
    if (ch === " ") out += space;
    else if (UNRESERVED.test(ch)) out += ch;
    else
      for (const byte of Buffer.from(ch, "utf8"))
        out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** S3's encoding-type=url form of a key. */
export const s3UrlKey = (key: string) => percentEncode(key, "+");
/** moto's encoding-type=url form of a key. */
export const motoUrlKey = (key: string) => percentEncode(key, "%20");

/** Text as XML character data: the markup characters escaped, control characters as references. */
export function xmlEscape(text: string): string {
  const named: Record<string, string> = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&apos;",
  };
  let out = "";
  for (const c of text) {
    const code = c.codePointAt(0) as number;
    out += named[c] ?? (code < 0x20 ? `&#x${code.toString(16)};` : c);
  }
  return out;
}

export interface PageOptions {
  bucket?: string;
  prefix?: string;
  /** How keys are written: url-encoded S3's way or moto's, or raw (a store that ignored encoding-type). */
  encoding: "s3" | "moto" | "none";
  /** The token for the page after this one; the page is then truncated. */
  next?: string;
  /** The token this page answered. */
  token?: string;
  /** ETags as S3 writes them (&quot;) or as a literal quote. */
  quotes?: "entity" | "literal";
}

/** One ListBucketResult document holding objects, with the elements S3 puts beside the three we read. */
export function listBucketResult(objects: CannedObject[], o: PageOptions): string {
  const key = o.encoding === "s3" ? s3UrlKey : o.encoding === "moto" ? motoUrlKey : xmlEscape;
  const q = o.quotes === "literal" ? '"' : "&quot;";
  const contents = objects
    .map(
      (x) =>
        `<Contents><Key>${key(x.key)}</Key><LastModified>2026-12-01T10:00:00.000Z</LastModified>` +
        `<ETag>${q}${x.etag}${q}</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType>` +
        `<Size>${x.size}</Size><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>` +
        `<StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${o.bucket ?? "models"}</Name>` +
    `<Prefix>${o.prefix ?? ""}</Prefix>` +
    (o.token === undefined ? "" : `<ContinuationToken>${xmlEscape(o.token)}</ContinuationToken>`) +
    `<KeyCount>${objects.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
    (o.encoding === "none" ? "" : "<EncodingType>url</EncodingType>") +
    `<IsTruncated>${o.next === undefined ? "false" : "true"}</IsTruncated>` +
    (o.next === undefined ? "" : `<NextContinuationToken>${xmlEscape(o.next)}</NextContinuationToken>`) +
    `${contents}</ListBucketResult>`
  );
}

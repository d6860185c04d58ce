// Reads one ListObjectsV2 answer (a ListBucketResult document) for what `models sync` needs of it: each
// object's key, size and ETag, and where the next page starts.
//
// Why by hand: the SDK's deserializer builds a full object tree for every element of every <Contents>
// (LastModified as a Date, Owner, StorageClass, checksum fields) and spends about 100 ms of CPU on a
// 1,000-key page on the 2-core test machine: a sixth of a no-change re-sync. Reading the three fields
// takes under 2 ms. fast-xml-parser alone (what the SDK uses underneath) was measured too, and saved
// nothing.
//
// The format, from the S3 API reference (ListObjectsV2, docs.aws.amazon.com/AmazonS3/latest/API/
// API_ListObjectsV2.html): with `encoding-type=url` the answer carries <EncodingType>url</EncodingType>
// and each <Key> percent-encoded, so a key is plain ASCII with no markup in it. S3 writes a space as "+"
// and a "+" as "%2B" (as botocore's unquote_plus expects); moto writes a space as "%20". Both decode
// below. The continuation token is opaque and not URL-encoded; only XML escapes apply to it.
//
// This reader answers undefined, and the caller lets the SDK read the page instead, whenever the page is
// not exactly what it expects: no url encoding (a store that ignored the parameter), CommonPrefixes, a
// <Contents> without a key or whose size is not a whole number, a <KeyCount> that disagrees with the objects
// read, a document cut short, or a truncated page without a token.
// What `--delete` removes is decided from this list, so a reader that guesses is worse than a slow one.

/** An object of the model bucket, as a listing shows it. */
export interface RemoteObject {
  key: string;
  size: number;
  /** The ETag without quotes: an MD5 for single-part uploads, md5-of-md5s plus "-N" for multipart. */
  etag: string;
}

export interface ListPage {
  objects: RemoteObject[];
  /** The token for the next page, when S3 says the listing is truncated. */
  next?: string;
}

const ENTITY = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** XML character data to text: the five named entities and numeric character references. */
export function xmlText(raw: string): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(
    ENTITY,
    (_m, hex: string | undefined, dec: string | undefined, name: string | undefined) =>
      name
        ? (NAMED[name] as string)
        : String.fromCodePoint(Number.parseInt(hex ?? (dec as string), hex ? 16 : 10)),
  );
}

/** An ETag as S3 writes it (in double quotes) without the quotes. */
export function unquotedEtag(etag: string): string {
  return etag.replaceAll('"', "");
}

/** A key S3 url-encoded (space as "+" or "%20") back to the key. Throws URIError on a broken escape. */
export function urlDecodedKey(encoded: string): string {
  return decodeURIComponent(encoded.replaceAll("+", " "));
}

/** The text of the first <tag>…</tag> in xml, or undefined. Tags here never carry attributes. */
function element(xml: string, tag: string): string | undefined {
  const open = xml.indexOf(`<${tag}>`);
  if (open < 0) return undefined;
  const start = open + tag.length + 2;
  const end = xml.indexOf(`</${tag}>`, start);
  return end < 0 ? undefined : xml.slice(start, end);
}

const CONTENTS = /<Contents>([\s\S]*?)<\/Contents>/g;
const WHOLE = /^[0-9]+$/;

/** One ListObjectsV2 page, or undefined when it is not a url-encoded page this reader is sure of. */
export function readListPage(xml: string): ListPage | undefined {
  if (!xml.includes("<ListBucketResult") || element(xml, "EncodingType") !== "url") return undefined;
  if (xml.includes("<CommonPrefixes>")) return undefined;
  const objects: RemoteObject[] = [];
  for (const match of xml.matchAll(CONTENTS)) {
    const body = match[1] as string;
    const key = element(body, "Key");
    const size = element(body, "Size")?.trim();
    if (!key || size === undefined || !WHOLE.test(size)) return undefined;
    let decoded: string;
    try {
      decoded = urlDecodedKey(key);
    } catch {
      return undefined;
    }
    objects.push({
      key: decoded,
      size: Number(size),
      etag: unquotedEtag(xmlText(element(body, "ETag") ?? "")),
    });
  }
  // Every <Contents> opened was read: a document cut short or nested oddly is not guessed at.
  if (xml.split("<Contents>").length - 1 !== objects.length) return undefined;
  const count = element(xml, "KeyCount")?.trim();
  if (count !== undefined && Number(count) !== objects.length) return undefined;
  const truncated = element(xml, "IsTruncated")?.trim();
  if (truncated !== "true" && truncated !== "false") return undefined;
  if (truncated === "false") return { objects };
  const next = element(xml, "NextContinuationToken");
  if (!next) return undefined;
  return { objects, next: xmlText(next) };
}

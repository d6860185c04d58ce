import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CannedObject, listBucketResult, s3UrlKey } from "../../test/support/s3-list-xml.js";
import { readListPage, urlDecodedKey, xmlText } from "./s3-list-page.js";

/** Keys as S3 allows them (any Unicode, up to 1,024 UTF-8 bytes), leaning on the characters that bite. */
const key = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        " ",
        "+",
        "%",
        "%20",
        "&",
        "&amp;",
        "<",
        ">",
        '"',
        "'",
        "/",
        "\n",
        "\r",
        "\t",
        "é",
        "한",
        "😀",
      ),
      fc.string({ unit: "binary", minLength: 1, maxLength: 4 }),
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((parts) => parts.join(""));
const etag = fc
  .tuple(
    fc.stringMatching(/^[0-9a-f]{32}$/),
    fc.option(fc.integer({ min: 1, max: 10_000 }), { nil: undefined }),
  )
  .map(([md5, parts]) => (parts === undefined ? md5 : `${md5}-${parts}`));
const object: fc.Arbitrary<CannedObject> = fc.record({
  key,
  size: fc.integer({ min: 0, max: 5 * 1024 ** 4 }),
  etag,
});
const token = fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 80 });

describe("readListPage", () => {
  it("reads back every key, size and ETag, whether S3 or moto encoded the keys", () => {
    fc.assert(
      fc.property(
        fc.array(object, { maxLength: 20 }),
        fc.constantFrom("s3" as const, "moto" as const),
        fc.constantFrom("entity" as const, "literal" as const),
        fc.option(token, { nil: undefined }),
        (objects, encoding, quotes, next) => {
          const page = readListPage(listBucketResult(objects, { encoding, quotes, next }));
          expect(page).toEqual(next === undefined ? { objects } : { objects, next });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("tells a space from a plus, as S3 writes them", () => {
    const page = readListPage(
      listBucketResult(
        [
          { key: "a b.txt", size: 1, etag: "x" },
          { key: "a+b.txt", size: 2, etag: "y" },
          { key: "100%.csv", size: 3, etag: "z" },
        ],
        { encoding: "s3" },
      ),
    );
    expect(page?.objects.map((o) => o.key)).toEqual(["a b.txt", "a+b.txt", "100%.csv"]);
    expect(s3UrlKey("a b+c")).toBe("a+b%2Bc");
  });

  it("gives the page back to the SDK when it is not a url-encoded page it is sure of", () => {
    const one = [{ key: "m/1/model.onnx", size: 10, etag: "abc" }];
    const good = listBucketResult(one, { encoding: "s3" });
    expect(readListPage(good)).toEqual({ objects: one });
    const refused = {
      "no EncodingType (the store ignored encoding-type)": listBucketResult(one, { encoding: "none" }),
      "a KeyCount that disagrees": good.replace("<KeyCount>1</KeyCount>", "<KeyCount>2</KeyCount>"),
      "common prefixes": good.replace(
        "</ListBucketResult>",
        "<CommonPrefixes><Prefix>m/</Prefix></CommonPrefixes></ListBucketResult>",
      ),
      "a Contents without a Key": good.replace(/<Key>[^<]*<\/Key>/, ""),
      "a size that is not a whole number": good.replace("<Size>10</Size>", "<Size>1e3</Size>"),
      "a broken percent escape": good.replace("m/1/model.onnx", "m/%E2%82"),
      "a document cut short": good.slice(0, good.indexOf("</Contents>")),
      "truncated without a token": good.replace(
        "<IsTruncated>false</IsTruncated>",
        "<IsTruncated>true</IsTruncated>",
      ),
      "no IsTruncated": good.replace("<IsTruncated>false</IsTruncated>", ""),
      "an error document": "<Error><Code>AccessDenied</Code><Message>no</Message></Error>",
    };
    for (const [why, xml] of Object.entries(refused)) expect(readListPage(xml), why).toBeUndefined();
  });

  it("decodes XML escapes in tokens and ETags, and keys S3's two ways", () => {
    expect(xmlText("a&amp;b&lt;&#x41;&#66;&quot;&apos;&gt;")).toBe("a&b<AB\"'>");
    expect(urlDecodedKey("a+b%2Bc%20d")).toBe("a b+c d");
    expect(() => urlDecodedKey("%ZZ")).toThrow(URIError);
  });
});

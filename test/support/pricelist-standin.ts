/**
 * A stand-in for the AWS Price List Query API (service "AWSPriceListService", JSON 1.1 protocol), written
 * from the AWS Price List Service API Reference: GetProducts (ServiceCode required; Filters of Type
 * TERM_MATCH, EQUALS, CONTAINS, ANY_OF or NONE_OF with Field and Value; FormatVersion "aws_v1"; MaxResults
 * 1 to 100; NextToken paging; PriceList as an array of JSON documents) and its errors
 * (InvalidParameterException, NotFoundException for an unknown service code, InvalidNextTokenException,
 * and MissingAuthenticationTokenException for an unsigned request). The moto emulator has no pricing API.
 * It refuses what the real API refuses; it serves only the products it is given.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface StandinProduct {
  serviceCode: string;
  attributes: Record<string, string>;
  /** USD per unit. */
  usd: number;
  unit: string;
}

export interface PriceListStandin {
  url: string;
  requests: Array<{ target: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

const FILTER_TYPES = new Set(["TERM_MATCH", "EQUALS", "CONTAINS", "ANY_OF", "NONE_OF"]);

function document(p: StandinProduct, i: number): string {
  const sku = `SKU${String(i).padStart(6, "0")}`;
  return JSON.stringify({
    product: {
      productFamily: p.attributes.productFamily ?? "Compute Instance",
      attributes: p.attributes,
      sku,
    },
    serviceCode: p.serviceCode,
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          priceDimensions: {
            [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: {
              unit: p.unit,
              pricePerUnit: { USD: p.usd.toFixed(10) },
              description: "",
            },
          },
          sku,
          effectiveDate: "2026-11-01T00:00:00Z",
        },
      },
    },
    version: "20261101000000",
    publicationDate: "2026-11-01T00:00:00Z",
  });
}

export async function startPriceListStandin(products: StandinProduct[]): Promise<PriceListStandin> {
  const requests: PriceListStandin["requests"] = [];
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString()));
    req.on("end", () => {
      const fail = (status: number, type: string, message: string) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type });
        res.end(JSON.stringify({ __type: type, Message: message }));
      };
      const target = String(req.headers["x-amz-target"] ?? "");
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw || "{}");
      } catch {
        return fail(400, "SerializationException", "body is not JSON");
      }
      requests.push({ target, body });
      if (!req.headers.authorization)
        return fail(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
      if (target !== "AWSPriceListService.GetProducts") return fail(400, "UnknownOperationException", target);
      const serviceCode = body.ServiceCode;
      if (typeof serviceCode !== "string" || serviceCode === "") {
        return fail(400, "InvalidParameterException", "ServiceCode is required");
      }
      if (body.FormatVersion !== undefined && body.FormatVersion !== "aws_v1") {
        return fail(400, "InvalidParameterException", "FormatVersion must be aws_v1");
      }
      const max = body.MaxResults === undefined ? 100 : Number(body.MaxResults);
      if (!Number.isInteger(max) || max < 1 || max > 100) {
        return fail(400, "InvalidParameterException", "MaxResults must be between 1 and 100");
      }
      const filters = (body.Filters ?? []) as Array<{ Type?: string; Field?: string; Value?: string }>;
      for (const f of filters) {
        if (!f.Type || !FILTER_TYPES.has(f.Type) || !f.Field || f.Value === undefined) {
          return fail(400, "InvalidParameterException", `invalid filter ${JSON.stringify(f)}`);
        }
      }
      const ofService = products.filter((p) => p.serviceCode === serviceCode);
      if (ofService.length === 0)
        return fail(400, "NotFoundException", `Service code ${serviceCode} not found`);
      const matching = ofService.filter((p) =>
        filters.every((f) => {
          const v = f.Field === "ServiceCode" ? p.serviceCode : p.attributes[f.Field ?? ""];
          if (f.Type === "TERM_MATCH" || f.Type === "EQUALS") return v === f.Value;
          if (f.Type === "CONTAINS") return v?.includes(String(f.Value)) ?? false;
          const values = String(f.Value).split(",");
          return f.Type === "ANY_OF" ? values.includes(v ?? "") : !values.includes(v ?? "");
        }),
      );
      const start = body.NextToken === undefined ? 0 : Number(String(body.NextToken).replace(/^page-/, ""));
      if (!Number.isInteger(start) || start < 0 || start > matching.length) {
        return fail(400, "InvalidNextTokenException", "The pagination token is invalid");
      }
      const page = matching.slice(start, start + max);
      const next = start + max < matching.length ? `page-${start + max}` : undefined;
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({
          FormatVersion: "aws_v1",
          PriceList: page.map((p) => document(p, products.indexOf(p))),
          ...(next ? { NextToken: next } : {}),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

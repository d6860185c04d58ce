import { type AwsContext, awsClientConfig } from "./clients.js";
import { sdk } from "./sdk.js";

/** One term-match filter of GetProducts (field names as the Price List shows them, e.g. instanceType). */
export type PriceFilter = Record<string, string>;

/** The Price List API answers from us-east-1 (also eu-central-1 and ap-south-1), whatever region is priced. */
const PRICE_LIST_REGION = "us-east-1";

/**
 * GetProducts for one product, paged; returns the on-demand USD price per unit of each product found.
 * Throws what the SDK throws (the caller treats any failure as "no live prices").
 */
export async function getOnDemandPrices(
  aws: AwsContext,
  serviceCode: string,
  filters: PriceFilter,
  options: { timeoutMs?: number } = {},
): Promise<Array<{ usd: number; unit: string; attributes: Record<string, string> }>> {
  const { PricingClient, GetProductsCommand } = sdk.pricing();
  const client = new PricingClient({
    ...awsClientConfig({ ...aws, region: PRICE_LIST_REGION }, "PRICING"),
    maxAttempts: 2,
  });
  const found: Array<{ usd: number; unit: string; attributes: Record<string, string> }> = [];
  try {
    let nextToken: string | undefined;
    do {
      const out = await client.send(
        new GetProductsCommand({
          ServiceCode: serviceCode,
          FormatVersion: "aws_v1",
          MaxResults: 100,
          Filters: Object.entries(filters).map(([Field, Value]) => ({ Type: "TERM_MATCH", Field, Value })),
          ...(nextToken ? { NextToken: nextToken } : {}),
        }),
        { abortSignal: AbortSignal.timeout(options.timeoutMs ?? 5000) },
      );
      for (const doc of out.PriceList ?? []) found.push(...onDemandOf(priceListText(doc)));
      nextToken = out.NextToken;
    } while (nextToken);
  } finally {
    client.destroy();
  }
  return found;
}

interface PriceListProduct {
  product?: { attributes?: Record<string, string> };
  terms?: {
    OnDemand?: Record<
      string,
      { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: { USD?: string } }> }
    >;
  };
}

/** Pure: the on-demand price dimensions of one Price List document (format aws_v1). */
export function onDemandOf(
  doc: string,
): Array<{ usd: number; unit: string; attributes: Record<string, string> }> {
  const product = JSON.parse(doc) as PriceListProduct;
  const attributes = product.product?.attributes ?? {};
  const out: Array<{ usd: number; unit: string; attributes: Record<string, string> }> = [];
  for (const term of Object.values(product.terms?.OnDemand ?? {})) {
    for (const dim of Object.values(term.priceDimensions ?? {})) {
      const usd = Number(dim.pricePerUnit?.USD);
      if (Number.isFinite(usd) && usd > 0) out.push({ usd, unit: dim.unit ?? "", attributes });
    }
  }
  return out;
}

/** The SDK hands each PriceList entry over as a string or as a lazy JSON string object. */
function priceListText(doc: unknown): string {
  if (typeof doc === "string") return doc;
  const text = String(doc);
  return text === "[object Object]" ? JSON.stringify(doc) : text;
}

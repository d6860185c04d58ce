import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getOnDemandPrices } from "../../src/aws/pricing.js";
import { loadPriceBook } from "../../src/cost/source.js";
import { type PriceListStandin, startPriceListStandin } from "../support/pricelist-standin.js";

// The Price List path through the real SDK client, against a stand-in of the API (the emulator has none).
describe("prices from the AWS Price List API", () => {
  let standin: PriceListStandin;
  const ec2 = {
    regionCode: "eu-west-1",
    operatingSystem: "Linux",
    tenancy: "Shared",
    preInstalledSw: "NA",
    capacitystatus: "Used",
  };
  beforeAll(async () => {
    standin = await startPriceListStandin([
      { serviceCode: "AmazonEC2", attributes: { ...ec2, instanceType: "g6.xlarge" }, usd: 0.9, unit: "Hrs" },
      {
        serviceCode: "AmazonEC2",
        attributes: { ...ec2, instanceType: "g6.xlarge", capacitystatus: "UnusedCapacityReservation" },
        usd: 0.9,
        unit: "Hrs",
      },
      {
        serviceCode: "AmazonEC2",
        attributes: { ...ec2, instanceType: "t3.large" },
        usd: 0.0912,
        unit: "Hrs",
      },
      {
        serviceCode: "AmazonEC2",
        attributes: {
          regionCode: "eu-west-1",
          productFamily: "NAT Gateway",
          usagetype: "EU-NatGateway-Hours",
        },
        usd: 0.048,
        unit: "Hrs",
      },
      {
        serviceCode: "AmazonEC2",
        attributes: {
          regionCode: "eu-west-1",
          productFamily: "NAT Gateway",
          usagetype: "EU-NatGateway-Bytes",
        },
        usd: 0.049,
        unit: "GB",
      },
      {
        serviceCode: "AmazonEKS",
        attributes: { regionCode: "eu-west-1", usagetype: "EU-AmazonEKS-Hours:perCluster" },
        usd: 0.1,
        unit: "Hours",
      },
      {
        serviceCode: "AmazonEKS",
        attributes: { regionCode: "eu-west-1", usagetype: "EU-AmazonEKS-Hours:extendedSupport" },
        usd: 0.61,
        unit: "Hours",
      },
      // 150 more EKS products: the client has to page (100 at most per page).
      ...Array.from({ length: 150 }, (_, i) => ({
        serviceCode: "AmazonEKS",
        attributes: { regionCode: "eu-west-1", usagetype: `EU-Fargate-Other-${i}` },
        usd: 0.01,
        unit: "Hours",
      })),
    ]);
  });
  afterAll(() => standin.close());

  const aws = (endpoint = standin.url) => ({
    region: "eu-west-1",
    sandbox: false,
    env: {
      AWS_ENDPOINT_URL_PRICING: endpoint,
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
    },
  });
  const live = (endpoint?: string) => ({
    onDemand: (s: string, f: Record<string, string>) => getOnDemandPrices(aws(endpoint), s, f),
  });

  it("reads EC2, EKS and NAT prices, paging, and keeps them with their date", async () => {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), "prices-"));
    const now = new Date("2026-12-01T10:00:00Z");
    const first = await loadPriceBook({
      region: "eu-west-1",
      instanceTypes: ["g6.xlarge", "t3.large"],
      live: live(),
      cacheDir,
      now,
    });
    expect(first.book.source).toBe("price-list");
    expect(first.book.asOf).toBe("2026-12-01");
    expect(first.book.instanceHour["g6.xlarge"]).toBe(0.9);
    expect(first.book.eksExtendedHour).toBe(0.61);
    expect(first.book.natGatewayGb).toBe(0.049);
    expect(first.label).toMatch(/^AWS Price List API \(eu-west-1, read 2026-12-01/);
    expect(first.warnings).toEqual([]);
    const eksPages = standin.requests.filter((r) => r.body.ServiceCode === "AmazonEKS");
    expect(eksPages.length).toBe(2);
    expect(eksPages[1]?.body.NextToken).toBe("page-100");
    expect(JSON.parse(readFileSync(path.join(cacheDir, "prices-eu-west-1.json"), "utf8")).asOf).toBe(
      "2026-12-01",
    );

    // From the cache for a week: no request.
    const before = standin.requests.length;
    const again = await loadPriceBook({
      region: "eu-west-1",
      instanceTypes: ["g6.xlarge"],
      live: live(),
      cacheDir,
      now: new Date("2026-12-05T00:00:00Z"),
    });
    expect(again.book.instanceHour["g6.xlarge"]).toBe(0.9);
    expect(standin.requests.length).toBe(before);
  });

  it("is refused what the real API refuses", async () => {
    await expect(getOnDemandPrices(aws(), "AmazonNothing", {})).rejects.toMatchObject({
      name: "NotFoundException",
    });
  });

  it("falls back to the dated bundled table when AWS does not answer", async () => {
    const r = await loadPriceBook({
      region: "eu-west-1",
      instanceTypes: ["g5.xlarge"],
      live: live("http://127.0.0.1:9"),
      cacheDir: undefined,
      now: new Date("2026-12-01T00:00:00Z"),
    });
    expect(r.book.source).toBe("bundled");
    expect(r.label).toBe("bundled eu-west-1 list prices of 2026-11-20");
    expect(r.warnings[0]).toMatch(/^the AWS Price List API did not answer/);
    const old = await loadPriceBook({
      region: "eu-west-1",
      instanceTypes: [],
      live: undefined,
      cacheDir: undefined,
      now: new Date("2027-06-01T00:00:00Z"),
    });
    expect(old.warnings).toContain(
      "the bundled prices are from 2026-11-20, 193 days old: AWS prices may have changed",
    );
  });
});

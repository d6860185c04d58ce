import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { age, parseRegions, sortResources } from "./scan.js";

describe("regions", () => {
  it("defaults to the config's region, takes a list, or all", () => {
    expect(parseRegions({}, "eu-west-1")).toEqual(["eu-west-1"]);
    expect(parseRegions({ regions: "us-east-1, eu-west-1,us-east-1" }, "x")).toEqual([
      "us-east-1",
      "eu-west-1",
    ]);
    expect(parseRegions({ allRegions: true }, "x")).toBeUndefined();
  });
  it("refuses bad input", () => {
    expect(() => parseRegions({ regions: "us-east-1,moon" }, "x")).toThrow(UserError);
    expect(() => parseRegions({ regions: "" }, "x")).toThrow(UserError);
    expect(() => parseRegions({ regions: "us-east-1", allRegions: true }, "x")).toThrow(/exclude/);
  });
});

describe("teardown order", () => {
  it("puts what depends on others first: node groups, clusters, LBs, NAT, EIPs, ENIs, SGs, IGW, subnets, routes, VPC", () => {
    const types = [
      "vpc",
      "route-table",
      "subnet",
      "internet-gateway",
      "security-group",
      "network-interface",
      "elastic-ip",
      "nat-gateway",
      "classic-load-balancer",
      "load-balancer",
      "eks-cluster",
      "eks-nodegroup",
      "kms-key",
      "kms-alias",
      "iam-policy",
      "iam-role",
    ];
    const sorted = sortResources(types.map((type) => ({ type, region: "us-east-1", name: type })));
    expect(sorted.map((r) => r.type)).toEqual([
      "eks-nodegroup",
      "eks-cluster",
      "load-balancer",
      "classic-load-balancer",
      "nat-gateway",
      "elastic-ip",
      "network-interface",
      "security-group",
      "internet-gateway",
      "subnet",
      "route-table",
      "vpc",
      "iam-role",
      "iam-policy",
      "kms-alias",
      "kms-key",
    ]);
  });
});

describe("age", () => {
  const now = new Date("2026-01-10T12:00:00Z");
  it("reads as minutes, hours or days", () => {
    expect(age(undefined, now)).toBe("-");
    expect(age("2026-01-10T11:30:00Z", now)).toBe("30m");
    expect(age("2026-01-09T12:00:00Z", now)).toBe("24h");
    expect(age("2026-01-01T12:00:00Z", now)).toBe("9d");
  });
});

import { describe, expect, it } from "vitest";
import { ebsMonthly, monthlyCost, totalCost } from "./prices.js";
import type { FoundResource } from "./types.js";

const r = (over: Partial<FoundResource> & Pick<FoundResource, "type">): FoundResource => ({
  id: "x",
  name: "x",
  region: "us-east-1",
  tags: {},
  ...over,
});

describe("monthly cost estimates", () => {
  it("prices the hourly resources over 730 hours", () => {
    expect(monthlyCost(r({ type: "nat-gateway" }))).toBe(32.85);
    expect(monthlyCost(r({ type: "elastic-ip" }))).toBe(3.65);
    expect(monthlyCost(r({ type: "eks-cluster" }))).toBe(73);
    expect(monthlyCost(r({ type: "load-balancer", lbType: "application" }))).toBe(16.43);
    expect(monthlyCost(r({ type: "load-balancer", lbType: "network" }))).toBe(16.43);
    expect(monthlyCost(r({ type: "load-balancer", lbType: "gateway" }))).toBe(9.13);
    expect(monthlyCost(r({ type: "classic-load-balancer" }))).toBe(18.25);
    expect(monthlyCost(r({ type: "kms-key" }))).toBe(1);
  });

  it("prices EBS by volume type and size, with provisioned IOPS", () => {
    expect(ebsMonthly("gp3", 100, 3000)).toBeCloseTo(8);
    expect(ebsMonthly("gp3", 100, 4000)).toBeCloseTo(13);
    expect(ebsMonthly("gp2", 100, 300)).toBeCloseTo(10);
    expect(ebsMonthly("io1", 100, 1000)).toBeCloseTo(77.5);
    expect(ebsMonthly("st1", 500, 0)).toBeCloseTo(22.5);
    expect(ebsMonthly("sc1", 500, 0)).toBeCloseTo(7.5);
    expect(monthlyCost(r({ type: "ebs-volume", volumeType: "io2", sizeGb: 10, iops: 100 }))).toBe(7.75);
  });

  it("prices node groups by instance type and desired size; free things cost nothing", () => {
    expect(monthlyCost(r({ type: "eks-nodegroup", instanceTypes: ["g5.xlarge"], desiredSize: 2 }))).toBe(
      1468.76,
    );
    expect(monthlyCost(r({ type: "eks-nodegroup", instanceTypes: ["unknown.type"], desiredSize: 2 }))).toBe(
      0,
    );
    for (const type of ["vpc", "subnet", "security-group", "iam-role", "route-table"] as const) {
      expect(monthlyCost(r({ type }))).toBe(0);
    }
    expect(monthlyCost(r({ type: "log-group", storedBytes: 10 * 1024 ** 3 }))).toBe(0.3);
  });

  it("sums to the cent", () => {
    expect(totalCost([32.85, 3.65, 0.1, 0.2])).toBe(36.8);
  });
});

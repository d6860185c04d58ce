import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cidrSize,
  cidrSubnet,
  cidrsOverlap,
  cidrWithin,
  formatCidr,
  isValidCidr,
  parseCidr,
  subnetLayout,
} from "./cidr.js";

describe("cidr", () => {
  it("parses and validates", () => {
    expect(isValidCidr("10.0.0.0/16")).toBe(true);
    expect(isValidCidr("10.0.0.1/16")).toBe(false);
    expect(isValidCidr("256.0.0.0/8")).toBe(false);
    expect(isValidCidr("10.0.0.0/33")).toBe(false);
    expect(isValidCidr("10.0.0/16")).toBe(false);
  });

  it("matches Terraform's cidrsubnet", () => {
    const base = parseCidr("10.0.0.0/16")!;
    expect(formatCidr(cidrSubnet(base, 4, 0))).toBe("10.0.0.0/20");
    expect(formatCidr(cidrSubnet(base, 4, 3))).toBe("10.0.48.0/20");
    expect(formatCidr(cidrSubnet(base, 8, 255))).toBe("10.0.255.0/24");
    expect(() => cidrSubnet(base, 4, 16)).toThrow(RangeError);
  });

  it("round-trips and subnets stay inside their parent without overlapping (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 8, max: 28 }),
        fc.integer({ min: 1, max: 4 }),
        (address, prefix, newbits) => {
          const size = 2 ** (32 - prefix);
          const parent = { network: address - (address % size), prefix };
          expect(parseCidr(formatCidr(parent))).toEqual(parent);
          const a = cidrSubnet(parent, newbits, 0);
          const b = cidrSubnet(parent, newbits, 2 ** newbits - 1);
          expect(cidrsOverlap(a, parent)).toBe(true);
          expect(newbits === 0 || !cidrsOverlap(a, b)).toBe(true);
          expect(b.network + cidrSize(b)).toBe(parent.network + cidrSize(parent));
        },
      ),
    );
  });

  it("lays out subnets as the vpc stack does (its terraform test asserts the same CIDRs)", () => {
    const vpc = parseCidr("10.0.0.0/16")!;
    expect(subnetLayout(vpc, 3).private.map(formatCidr)).toEqual([
      "10.0.64.0/18",
      "10.0.128.0/18",
      "10.0.192.0/18",
    ]);
    expect(subnetLayout(vpc, 6).public.map(formatCidr)).toEqual([
      "10.0.0.0/21",
      "10.0.8.0/21",
      "10.0.16.0/21",
      "10.0.24.0/21",
      "10.0.32.0/21",
      "10.0.40.0/21",
    ]);
    expect(subnetLayout(vpc, 6).private.map(formatCidr)[5]).toBe("10.0.224.0/19");
  });

  it("never overlaps two subnets and keeps them inside the VPC, for every allowed VPC and AZ count", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 24 }),
        fc.integer({ min: 0, max: 2 ** 16 - 1 }),
        fc.integer({ min: 2, max: 6 }),
        (prefix, seed, azCount) => {
          const vpc = {
            network: ((seed * 2 ** 16) % 2 ** 32) - (((seed * 2 ** 16) % 2 ** 32) % 2 ** (32 - prefix)),
            prefix,
          };
          const layout = subnetLayout(vpc, azCount);
          const all = [...layout.public, ...layout.private];
          expect(all).toHaveLength(azCount * 2);
          for (const [i, a] of all.entries()) {
            expect(cidrWithin(a, vpc)).toBe(true);
            for (const b of all.slice(i + 1)) expect(cidrsOverlap(a, b)).toBe(false);
          }
        },
      ),
    );
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cidrSize, cidrSubnet, cidrsOverlap, formatCidr, isValidCidr, parseCidr } from "./cidr.js";

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
});

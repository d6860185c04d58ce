/** IPv4 CIDR maths used by config validation and doctor's subnet checks. */
export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  network: number;
  prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** Parses "a.b.c.d/n"; host bits must be zero, as AWS requires for VPC and subnet CIDRs. */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text);
  if (!match) return undefined;
  const address = parseIpv4(match[1]!);
  const prefix = Number(match[2]);
  if (address === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) return undefined;
  return { network: address, prefix };
}

export function isValidCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

export function cidrSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const aEnd = a.network + cidrSize(a);
  const bEnd = b.network + cidrSize(b);
  return a.network < bEnd && b.network < aEnd;
}

/** Terraform's cidrsubnet(): the netnum-th subnet with newbits more prefix bits. */
export function cidrSubnet(base: Cidr, newbits: number, netnum: number): Cidr {
  const prefix = base.prefix + newbits;
  if (prefix > 32) throw new RangeError(`prefix /${prefix} is longer than /32`);
  if (netnum < 0 || netnum >= 2 ** newbits)
    throw new RangeError(`netnum ${netnum} does not fit in ${newbits} bits`);
  return { network: base.network + netnum * 2 ** (32 - prefix), prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}

/** Usable addresses in an AWS subnet: AWS reserves five in each. */
export function awsUsableAddresses(cidr: Cidr): number {
  return Math.max(0, cidrSize(cidr) - 5);
}

/**
 * The subnets the vpc stack carves out of the VPC CIDR (terraform/stacks/vpc/main.tf holds the same
 * layout): up to 3 AZs, public /+4s and private /+2s from the second quarter; 4 to 6 AZs, public /+5s
 * and private /+3s from the third eighth. No two overlap.
 */
export function subnetLayout(vpc: Cidr, azCount: number): { public: Cidr[]; private: Cidr[] } {
  const wide = azCount > 3;
  const [publicBits, privateBits, privateFirst] = wide ? [5, 3, 2] : [4, 2, 1];
  const range = [...Array(azCount).keys()];
  return {
    public: range.map((i) => cidrSubnet(vpc, publicBits, i)),
    private: range.map((i) => cidrSubnet(vpc, privateBits, i + privateFirst)),
  };
}

/** AWS's smallest subnet. */
export const SMALLEST_SUBNET_PREFIX = 28;

/** Private (RFC 1918) ranges, which EKS requires of a custom service CIDR. */
export const PRIVATE_RANGES: readonly Cidr[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(
  (text) => parseCidr(text) as Cidr,
);

export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return (
    inner.prefix >= outer.prefix &&
    inner.network >= outer.network &&
    inner.network + cidrSize(inner) <= outer.network + cidrSize(outer)
  );
}

import type { _InstanceType } from "@aws-sdk/client-ec2";
import { awsErrorName } from "../errors.js";
import { type AwsContext, awsClientConfig, isApiUnavailable, toAwsError } from "./clients.js";
import { describeVpcs } from "./ec2.js";
import { sdk } from "./sdk.js";

/** Narrow EC2 / Service Quotas reads for `doctor --preflight`. */

export async function availableZones(aws: AwsContext): Promise<string[]> {
  const { EC2Client, DescribeAvailabilityZonesCommand } = sdk.ec2();
  const ec2 = new EC2Client(awsClientConfig(aws, "EC2"));
  try {
    const out = await ec2.send(
      new DescribeAvailabilityZonesCommand({ Filters: [{ Name: "state", Values: ["available"] }] }),
    );
    // The vpc stack takes the first N names of the same data source, in the order AWS returns them.
    return (out.AvailabilityZones ?? []).map((z) => z.ZoneName ?? "").filter(Boolean);
  } catch (error) {
    throw toAwsError(error, "list the region's availability zones");
  } finally {
    ec2.destroy();
  }
}

/** Instance type -> the AZs (of those given) that offer it. */
export async function instanceTypeOfferings(
  aws: AwsContext,
  types: readonly string[],
  zones: readonly string[],
): Promise<Map<string, string[]>> {
  const { EC2Client, DescribeInstanceTypeOfferingsCommand } = sdk.ec2();
  const ec2 = new EC2Client(awsClientConfig(aws, "EC2"));
  const out = new Map<string, string[]>(types.map((t) => [t, []]));
  try {
    let token: string | undefined;
    do {
      const page = await ec2.send(
        new DescribeInstanceTypeOfferingsCommand({
          LocationType: "availability-zone",
          Filters: [
            { Name: "instance-type", Values: [...types] },
            { Name: "location", Values: [...zones] },
          ],
          NextToken: token,
        }),
      );
      for (const o of page.InstanceTypeOfferings ?? []) {
        if (o.InstanceType && o.Location && zones.includes(o.Location))
          out.get(o.InstanceType)?.push(o.Location);
      }
      token = page.NextToken;
    } while (token);
    return out;
  } catch (error) {
    throw toAwsError(error, "list the instance types offered in the chosen AZs");
  } finally {
    ec2.destroy();
  }
}

/** Instance type -> default vCPUs; types AWS does not describe are left out. */
export async function instanceVcpus(aws: AwsContext, types: readonly string[]): Promise<Map<string, number>> {
  const { EC2Client, DescribeInstanceTypesCommand } = sdk.ec2();
  const ec2 = new EC2Client(awsClientConfig(aws, "EC2"));
  try {
    const out = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: types as _InstanceType[] }));
    return new Map(
      (out.InstanceTypes ?? []).flatMap((t) =>
        t.InstanceType && t.VCpuInfo?.DefaultVCpus
          ? [[t.InstanceType, t.VCpuInfo.DefaultVCpus] as const]
          : [],
      ),
    );
  } catch (error) {
    throw toAwsError(error, "describe the GPU instance types");
  } finally {
    ec2.destroy();
  }
}

/** A quota's value; "unknown" where Service Quotas is absent (the emulator) or not permitted. */
export async function quotaValue(
  aws: AwsContext,
  serviceCode: string,
  quotaCode: string,
): Promise<number | "unknown"> {
  const { ServiceQuotasClient, GetServiceQuotaCommand } = sdk.serviceQuotas();
  const sq = new ServiceQuotasClient(awsClientConfig(aws, "SERVICE_QUOTAS"));
  try {
    const out = await sq.send(new GetServiceQuotaCommand({ ServiceCode: serviceCode, QuotaCode: quotaCode }));
    return out.Quota?.Value ?? "unknown";
  } catch (error) {
    const name = awsErrorName(error);
    if (isApiUnavailable(error) || name === "AccessDeniedException" || name === "NoSuchResourceException") {
      return "unknown";
    }
    throw toAwsError(error, `read quota ${serviceCode}/${quotaCode}`);
  } finally {
    sq.destroy();
  }
}

/** Elastic IPs allocated in the region, and VPCs that exist. */
export async function addressAndVpcCounts(aws: AwsContext): Promise<{ addresses: number; vpcs: number }> {
  const { EC2Client, DescribeAddressesCommand } = sdk.ec2();
  const ec2 = new EC2Client(awsClientConfig(aws, "EC2"));
  try {
    const [addresses, vpcs] = await Promise.all([
      ec2.send(new DescribeAddressesCommand({})),
      describeVpcs(aws),
    ]);
    return { addresses: addresses.Addresses?.length ?? 0, vpcs: vpcs.length };
  } catch (error) {
    throw toAwsError(error, "count Elastic IPs and VPCs");
  } finally {
    ec2.destroy();
  }
}

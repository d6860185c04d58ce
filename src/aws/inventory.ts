import { awsErrorName, messageOf } from "../errors.js";
import {
  type AwsContext,
  awsClientConfig,
  isApiUnavailable,
  isNotFound,
  tagRecord,
  toAwsError,
} from "./clients.js";
import { describeCluster, describeNodegroup, listNodegroups } from "./eks.js";
import type { FoundResource } from "./found-resource.js";
import { GLOBAL_REGION } from "./found-resource.js";
import { getOidcProvider } from "./iam.js";
import { sdk as awsSdk } from "./sdk.js";

/**
 * Narrow read-only listings for orphan-scan: each returns every resource of its kind in one region
 * (or the account, for IAM and S3), paged, as FoundResource. Ownership is decided later, purely.
 */

type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

export type TagList = Array<{ Key?: string; Value?: string }> | undefined;

function iso(date: Date | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}

/** Runs a listing; an API the account (or emulator) lacks yields nothing instead of failing the scan. */
async function guarded<T>(
  what: string,
  fn: () => Promise<T[]>,
  onMissing: (what: string) => void,
): Promise<T[]> {
  try {
    return await fn();
  } catch (error) {
    if (isApiUnavailable(error)) {
      onMissing(what);
      return [];
    }
    throw toAwsError(error, `list ${what}`);
  }
}

export interface ListOptions {
  limit: Limit;
  /** Told about an API that is absent (its resources are unknown, not none). */
  onMissing: (what: string) => void;
  /**
   * Narrows what AWS sends back (big accounts page through far less): VPC-bound resources (subnets,
   * NAT gateways, security groups, ENIs, route tables) only inside VPCs this accepts. A superset of the
   * project's; classify() still decides.
   */
  scope?: { vpc: (vpc: FoundResource) => boolean };
}

export interface Ec2Filter {
  Name: string;
  Values: string[];
}

export async function listRegions(aws: AwsContext): Promise<string[]> {
  const { EC2Client, DescribeRegionsCommand } = awsSdk.ec2();
  const ec2 = new EC2Client(awsClientConfig(aws, "EC2"));
  try {
    const out = await ec2.send(new DescribeRegionsCommand({}));
    return (out.Regions ?? [])
      .map((r) => r.RegionName ?? "")
      .filter(Boolean)
      .sort();
  } catch (error) {
    throw toAwsError(error, "list the enabled regions (ec2:DescribeRegions)");
  } finally {
    ec2.destroy();
  }
}

/** Every item of every page, in order. */
async function collect<P, I>(pages: AsyncIterable<P>, pick: (p: P) => I[] | undefined): Promise<I[]> {
  const out: I[] = [];
  for await (const page of pages) out.push(...(pick(page) ?? []));
  return out;
}

/** VPCs with their subnets, gateways, EIPs, security groups, detached ENIs, route tables; available volumes. */
export async function listEc2(aws: AwsContext, o: ListOptions): Promise<FoundResource[]> {
  const ec2sdk = awsSdk.ec2();
  const ec2 = new ec2sdk.EC2Client(awsClientConfig(aws, "EC2"));
  const region = aws.region;
  const cfg = { client: ec2, pageSize: 1000 };
  const nameOf = (tags: Record<string, string>, fallback: string) => tags.Name ?? fallback;
  const vpcs: Promise<FoundResource[]> = o.limit(() =>
    guarded(
      "VPCs",
      async () =>
        (await collect(ec2sdk.paginateDescribeVpcs(cfg, {}), (p) => p.Vpcs)).map((v) => {
          const tags = tagRecord(v.Tags);
          return {
            type: "vpc",
            id: v.VpcId ?? "",
            name: nameOf(tags, v.VpcId ?? ""),
            region,
            tags,
            vpcId: v.VpcId,
            ...(v.CidrBlock ? { cidr: v.CidrBlock } : {}),
            ...(v.IsDefault ? { isDefault: true } : {}),
          } as FoundResource;
        }),
      o.onMissing,
    ),
  );
  // VPC-bound listings wait for the VPCs, then ask only about the project's (in chunks of 200 ids).
  const inProjectVpcs = (run: (filters: Ec2Filter[]) => Promise<FoundResource[]>) =>
    vpcs.then(async (all) => {
      if (!o.scope) return run([]);
      const ids = all.filter(o.scope.vpc).map((v) => v.id);
      const chunks = Array.from({ length: Math.ceil(ids.length / 200) }, (_, k) =>
        ids.slice(k * 200, k * 200 + 200),
      );
      return (await Promise.all(chunks.map((chunk) => run([{ Name: "vpc-id", Values: chunk }])))).flat();
    });
  const tasks: Array<Promise<FoundResource[]>> = [
    vpcs,
    inProjectVpcs((Filters) =>
      o.limit(() =>
        guarded(
          "subnets",
          async () =>
            (await collect(ec2sdk.paginateDescribeSubnets(cfg, { Filters }), (p) => p.Subnets)).map((s) => {
              const tags = tagRecord(s.Tags);
              return {
                type: "subnet",
                id: s.SubnetId ?? "",
                name: nameOf(tags, s.SubnetId ?? ""),
                region,
                tags,
                vpcId: s.VpcId,
              } as FoundResource;
            }),
          o.onMissing,
        ),
      ),
    ),
    o.limit(() =>
      guarded(
        "internet gateways",
        async () =>
          (await collect(ec2sdk.paginateDescribeInternetGateways(cfg, {}), (p) => p.InternetGateways)).map(
            (g) => {
              const tags = tagRecord(g.Tags);
              const id = g.InternetGatewayId ?? "";
              return {
                type: "internet-gateway",
                id,
                name: nameOf(tags, id),
                region,
                tags,
                vpcId: g.Attachments?.[0]?.VpcId,
              } as FoundResource;
            },
          ),
        o.onMissing,
      ),
    ),
    inProjectVpcs((Filters) =>
      o.limit(() =>
        guarded(
          "NAT gateways",
          async () =>
            (
              await collect(
                ec2sdk.paginateDescribeNatGateways(cfg, { Filter: Filters }),
                (p) => p.NatGateways,
              )
            )
              // A deleted NAT gateway stays listed for about an hour and costs nothing.
              .filter((g) => g.State !== "deleted" && g.State !== "deleting")
              .map((g) => {
                const tags = tagRecord(g.Tags);
                const id = g.NatGatewayId ?? "";
                return {
                  type: "nat-gateway",
                  id,
                  name: nameOf(tags, id),
                  region,
                  tags,
                  vpcId: g.VpcId,
                  createdAt: iso(g.CreateTime),
                } as FoundResource;
              }),
          o.onMissing,
        ),
      ),
    ),
    o.limit(() =>
      guarded(
        "Elastic IPs",
        async () => {
          const out = await ec2.send(new ec2sdk.DescribeAddressesCommand({}));
          return (out.Addresses ?? []).map((a) => {
            const tags = tagRecord(a.Tags);
            const id = a.AllocationId ?? a.PublicIp ?? "";
            return {
              type: "elastic-ip",
              id,
              name: nameOf(tags, a.PublicIp ?? id),
              region,
              tags,
              associated: Boolean(a.AssociationId),
            } as FoundResource;
          });
        },
        o.onMissing,
      ),
    ),
    inProjectVpcs((Filters) =>
      o.limit(() =>
        guarded(
          "security groups",
          async () =>
            (await collect(ec2sdk.paginateDescribeSecurityGroups(cfg, { Filters }), (p) => p.SecurityGroups))
              // A VPC's default group cannot be deleted: it goes with its VPC.
              .filter((g) => g.GroupName !== "default")
              .map((g) => {
                const tags = tagRecord(g.Tags);
                const id = g.GroupId ?? "";
                return {
                  type: "security-group",
                  id,
                  name: tags.Name ?? g.GroupName ?? id,
                  region,
                  tags,
                  vpcId: g.VpcId,
                } as FoundResource;
              }),
          o.onMissing,
        ),
      ),
    ),
    inProjectVpcs((Filters) =>
      o.limit(() =>
        guarded(
          "network interfaces",
          async () =>
            (
              await collect(
                ec2sdk.paginateDescribeNetworkInterfaces(cfg, {
                  Filters: [...Filters, { Name: "status", Values: ["available"] }],
                }),
                (p) => p.NetworkInterfaces,
              )
            ).map((n) => {
              const tags = tagRecord(n.TagSet);
              const id = n.NetworkInterfaceId ?? "";
              return {
                type: "network-interface",
                id,
                name: nameOf(tags, id),
                region,
                tags,
                vpcId: n.VpcId,
                description: n.Description,
              } as FoundResource;
            }),
          o.onMissing,
        ),
      ),
    ),
    inProjectVpcs((Filters) =>
      o.limit(() =>
        guarded(
          "route tables",
          async () =>
            (await collect(ec2sdk.paginateDescribeRouteTables(cfg, { Filters }), (p) => p.RouteTables))
              // The main route table goes with its VPC.
              .filter((t) => !t.Associations?.some((a) => a.Main))
              .map((t) => {
                const tags = tagRecord(t.Tags);
                const id = t.RouteTableId ?? "";
                return {
                  type: "route-table",
                  id,
                  name: nameOf(tags, id),
                  region,
                  tags,
                  vpcId: t.VpcId,
                } as FoundResource;
              }),
          o.onMissing,
        ),
      ),
    ),
    o.limit(() =>
      guarded(
        "EBS volumes",
        async () =>
          (
            await collect(
              ec2sdk.paginateDescribeVolumes(cfg, { Filters: [{ Name: "status", Values: ["available"] }] }),
              (p) => p.Volumes,
            )
          ).map((v) => {
            const tags = tagRecord(v.Tags);
            const id = v.VolumeId ?? "";
            const pvc = tags["kubernetes.io/created-for/pvc/name"];
            return {
              type: "ebs-volume",
              id,
              name: tags.Name ?? (pvc ? `pvc ${pvc}` : id),
              region,
              tags,
              createdAt: iso(v.CreateTime),
              sizeGb: v.Size,
              volumeType: v.VolumeType,
              iops: v.Iops,
            } as FoundResource;
          }),
        o.onMissing,
      ),
    ),
  ];
  try {
    return (await Promise.all(tasks)).flat();
  } finally {
    ec2.destroy();
  }
}

/** EKS clusters and their node groups. */
export async function listEks(aws: AwsContext, o: ListOptions): Promise<FoundResource[]> {
  const eksSdk = awsSdk.eks();
  const eks = new eksSdk.EKSClient(awsClientConfig(aws, "EKS"));
  const region = aws.region;
  try {
    return await guarded(
      "EKS clusters",
      async () => {
        const names: string[] = [];
        for await (const page of eksSdk.paginateListClusters({ client: eks, pageSize: 100 }, {}))
          names.push(...(page.clusters ?? []));
        const perCluster = await Promise.all(
          names.map(async (name) => {
            const c = await o.limit(() => describeCluster(aws, name));
            // Deleted between the listing and now: nothing left to report.
            if (!c) return [];
            const cluster: FoundResource = {
              type: "eks-cluster",
              id: name,
              name,
              region,
              arn: c.arn,
              tags: c.tags,
              createdAt: iso(c.createdAt),
              vpcId: c.vpcId,
            };
            const groups = await listNodegroups(aws, name);
            const nodegroups = (
              await Promise.all(groups.map((ng) => o.limit(() => describeNodegroup(aws, name, ng))))
            )
              .filter((d) => d !== undefined)
              .map(
                (d) =>
                  ({
                    type: "eks-nodegroup",
                    id: `${name}:${d.name}`,
                    name: d.name,
                    region,
                    arn: d.arn,
                    tags: d.tags,
                    createdAt: iso(d.createdAt),
                    cluster: name,
                    instanceTypes: d.instanceTypes,
                    desiredSize: d.desiredSize,
                  }) as FoundResource,
              );
            return [cluster, ...nodegroups];
          }),
        );
        return perCluster.flat();
      },
      o.onMissing,
    );
  } finally {
    eks.destroy();
  }
}

/** ELBv2 (application, network, gateway) and classic load balancers, with their tags. */
export async function listLoadBalancers(aws: AwsContext, o: ListOptions): Promise<FoundResource[]> {
  const [v2, v1] = [awsSdk.elbv2(), awsSdk.elb()];
  const elbv2 = new v2.ElasticLoadBalancingV2Client(awsClientConfig(aws, "ELASTIC_LOAD_BALANCING_V2"));
  const elb = new v1.ElasticLoadBalancingClient(awsClientConfig(aws, "ELASTIC_LOAD_BALANCING"));
  const region = aws.region;
  const chunks = <T>(items: T[], size: number) =>
    Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));
  try {
    const [modern, classic] = await Promise.all([
      guarded(
        "load balancers (ELBv2)",
        async () => {
          const lbs: Array<{ arn: string; name: string; type?: string; vpcId?: string; created?: Date }> = [];
          for await (const page of v2.paginateDescribeLoadBalancers({ client: elbv2 }, {}))
            for (const lb of page.LoadBalancers ?? [])
              lbs.push({
                arn: lb.LoadBalancerArn ?? "",
                name: lb.LoadBalancerName ?? "",
                type: lb.Type,
                vpcId: lb.VpcId,
                created: lb.CreatedTime,
              });
          const tags = new Map<string, Record<string, string>>();
          // DescribeTags takes 20 ARNs at a time.
          await Promise.all(
            chunks(lbs, 20).map(async (chunk) => {
              const out = await o.limit(() =>
                elbv2.send(new v2.DescribeTagsCommand({ ResourceArns: chunk.map((l) => l.arn) })),
              );
              for (const d of out.TagDescriptions ?? []) tags.set(d.ResourceArn ?? "", tagRecord(d.Tags));
            }),
          );
          return lbs.map(
            (lb) =>
              ({
                type: "load-balancer",
                id: lb.arn,
                arn: lb.arn,
                name: lb.name,
                region,
                tags: tags.get(lb.arn) ?? {},
                lbType: lb.type,
                vpcId: lb.vpcId,
                createdAt: iso(lb.created),
              }) as FoundResource,
          );
        },
        o.onMissing,
      ),
      guarded(
        "classic load balancers",
        async () => {
          const lbs: Array<{ name: string; vpcId?: string; created?: Date }> = [];
          for await (const page of v1.paginateDescribeLoadBalancers({ client: elb }, {}))
            for (const lb of page.LoadBalancerDescriptions ?? [])
              lbs.push({ name: lb.LoadBalancerName ?? "", vpcId: lb.VPCId, created: lb.CreatedTime });
          const tags = new Map<string, Record<string, string>>();
          await Promise.all(
            chunks(lbs, 20).map(async (chunk) => {
              const out = await o.limit(() =>
                elb.send(new v1.DescribeTagsCommand({ LoadBalancerNames: chunk.map((l) => l.name) })),
              );
              for (const d of out.TagDescriptions ?? [])
                tags.set(d.LoadBalancerName ?? "", tagRecord(d.Tags));
            }),
          );
          return lbs.map(
            (lb) =>
              ({
                type: "classic-load-balancer",
                id: lb.name,
                name: lb.name,
                region,
                tags: tags.get(lb.name) ?? {},
                vpcId: lb.vpcId,
                createdAt: iso(lb.created),
              }) as FoundResource,
          );
        },
        o.onMissing,
      ),
    ]);
    return [...modern, ...classic];
  } finally {
    elbv2.destroy();
    elb.destroy();
  }
}

/** ECR repositories with their tags (DescribeRepositories carries none: one ListTagsForResource each). */
export async function listEcr(aws: AwsContext, o: ListOptions): Promise<FoundResource[]> {
  const sdk = awsSdk.ecr();
  const ecr = new sdk.ECRClient(awsClientConfig(aws, "ECR"));
  try {
    return await guarded(
      "ECR repositories",
      async () => {
        const listed: FoundResource[] = [];
        await o.limit(async () => {
          for await (const page of sdk.paginateDescribeRepositories({ client: ecr, pageSize: 1000 }, {}))
            for (const r of page.repositories ?? [])
              listed.push({
                type: "ecr-repository",
                id: r.repositoryName ?? "",
                name: r.repositoryName ?? "",
                arn: r.repositoryArn,
                region: aws.region,
                tags: {},
                createdAt: iso(r.createdAt),
              });
        });
        const found = await Promise.all(
          listed.map((r) =>
            withTags(r, () =>
              o.limit(async () =>
                tagRecord((await ecr.send(new sdk.ListTagsForResourceCommand({ resourceArn: r.arn }))).tags),
              ),
            ),
          ),
        );
        return found.filter((r): r is FoundResource => r !== undefined);
      },
      o.onMissing,
    );
  } finally {
    ecr.destroy();
  }
}

/** Log groups under /aws/eks/ and /aws/vpc/ (the cluster's control-plane logs, flow logs). */
export async function listLogGroups(aws: AwsContext, o: ListOptions): Promise<FoundResource[]> {
  const sdk = awsSdk.logs();
  const logs = new sdk.CloudWatchLogsClient(awsClientConfig(aws, "CLOUDWATCH_LOGS"));
  try {
    const perPrefix = await Promise.all(
      ["/aws/eks/", "/aws/vpc/"].map((prefix) =>
        o.limit(() =>
          guarded(
            "log groups",
            async () => {
              const out: FoundResource[] = [];
              for await (const page of sdk.paginateDescribeLogGroups(
                { client: logs, pageSize: 50 },
                { logGroupNamePrefix: prefix },
              ))
                for (const g of page.logGroups ?? [])
                  out.push({
                    type: "log-group",
                    id: g.logGroupName ?? "",
                    name: g.logGroupName ?? "",
                    arn: g.arn?.replace(/:\*$/, ""),
                    region: aws.region,
                    tags: {},
                    createdAt: g.creationTime ? new Date(g.creationTime).toISOString() : undefined,
                    storedBytes: g.storedBytes,
                  });
              // DescribeLogGroups carries no tags: one ListTagsForResource per group under the two
              // prefixes, so a group tagged for another project or environment is judged by its tags.
              return tagEach(out, o, async (g) =>
                g.arn
                  ? ((await logs.send(new sdk.ListTagsForResourceCommand({ resourceArn: g.arn }))).tags ?? {})
                  : {},
              );
            },
            o.onMissing,
          ),
        ),
      ),
    );
    return perPrefix.flat();
  } finally {
    logs.destroy();
  }
}

/**
 * KMS aliases and customer-managed keys. A key is reported when an alias of the project points at it
 * or its tags say so; keys already pending deletion cost nothing and are left out.
 */
export async function listKms(aws: AwsContext, o: ListOptions): Promise<FoundResource[]> {
  const sdk = awsSdk.kms();
  const kms = new sdk.KMSClient(awsClientConfig(aws, "KMS"));
  const region = aws.region;
  try {
    return await guarded(
      "KMS keys",
      async () => {
        // The two listings do not depend on each other: both are on the wire at once, and the aliases
        // are matched to the keys once both have answered.
        const [aliasList, keyList] = await Promise.all([
          collect(sdk.paginateListAliases({ client: kms, pageSize: 100 }, {}), (p) => p.Aliases),
          collect(sdk.paginateListKeys({ client: kms, pageSize: 100 }, {}), (p) => p.Keys),
        ]);
        const aliases: FoundResource[] = aliasList
          .filter((a) => a.AliasName && !a.AliasName.startsWith("alias/aws/") && a.TargetKeyId)
          .map((a) => ({
            type: "kms-alias",
            id: a.AliasName ?? "",
            name: a.AliasName ?? "",
            arn: a.AliasArn,
            region,
            tags: {},
            createdAt: iso(a.CreationDate),
            description: a.TargetKeyId,
          }));
        const keyIds = keyList.flatMap((k) => (k.KeyId ? [k.KeyId] : []));
        const keys = await Promise.all(
          keyIds.map(async (keyId) => {
            const meta = (await o.limit(() => kms.send(new sdk.DescribeKeyCommand({ KeyId: keyId }))))
              .KeyMetadata;
            const pending =
              meta?.KeyState === "PendingDeletion" || meta?.KeyState === "PendingReplicaDeletion";
            if (meta?.KeyManager !== "CUSTOMER" || pending) return undefined;
            const tagsOut = await o.limit(() => kms.send(new sdk.ListResourceTagsCommand({ KeyId: keyId })));
            const tags: Record<string, string> = {};
            for (const t of tagsOut.Tags ?? []) if (t.TagKey) tags[t.TagKey] = t.TagValue ?? "";
            const alias = aliases.find((a) => a.description === keyId);
            return {
              type: "kms-key",
              id: keyId,
              name: alias?.name.replace(/^alias\//, "") ?? keyId,
              arn: meta.Arn,
              region,
              tags,
              createdAt: iso(meta.CreationDate),
            } as FoundResource;
          }),
        );
        return [...aliases, ...keys.filter((k): k is FoundResource => k !== undefined)];
      },
      o.onMissing,
    );
  } finally {
    kms.destroy();
  }
}

/**
 * Reads one resource's tags. A resource gone meanwhile is dropped; any other failure (a deny, a
 * throttle that outlasted the retries) leaves its tags unreadable, so ownership says "unknown".
 */
async function withTags(
  r: FoundResource,
  read: () => Promise<Record<string, string>>,
): Promise<FoundResource | undefined> {
  try {
    return { ...r, tags: await read() };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    return { ...r, tags: {}, tagsUnreadable: awsErrorName(error) ?? messageOf(error) };
  }
}

/** Reads the tags of each listed resource, concurrently within the scan's limit (see withTags). */
async function tagEach(
  listed: FoundResource[],
  o: ListOptions,
  read: (r: FoundResource) => Promise<Record<string, string>>,
): Promise<FoundResource[]> {
  const found = await Promise.all(listed.map((r) => withTags(r, () => o.limit(() => read(r)))));
  return found.filter((r): r is FoundResource => r !== undefined);
}

/** Every tag on every page of a paged tag listing. */
async function pagedTags(pages: AsyncIterable<{ Tags?: TagList }>): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  for await (const page of pages) Object.assign(tags, tagRecord(page.Tags));
  return tags;
}

type IamSdk = ReturnType<typeof awsSdk.iam>;

/**
 * Every role with its tags. ListRoles carries no tags on AWS, and a ListRoleTags per role is what made
 * the scan slow (300 roles: 300 requests). GetAccountAuthorizationDetails returns roles with their
 * tags, 1000 a page; where it is denied, ListRoles plus ListRoleTags per role (concurrently) instead.
 */
async function listRolesWithTags(
  iam: InstanceType<IamSdk["IAMClient"]>,
  sdk: IamSdk,
  o: ListOptions,
): Promise<FoundResource[]> {
  const role = (r: { RoleName?: string; Arn?: string; CreateDate?: Date }): FoundResource => ({
    type: "iam-role",
    id: r.RoleName ?? "",
    name: r.RoleName ?? "",
    arn: r.Arn,
    region: GLOBAL_REGION,
    tags: {},
    createdAt: iso(r.CreateDate),
  });
  try {
    return await o.limit(async () => {
      const out: FoundResource[] = [];
      for await (const page of sdk.paginateGetAccountAuthorizationDetails(
        { client: iam, pageSize: 1000 },
        { Filter: ["Role"] },
      ))
        for (const r of page.RoleDetailList ?? []) out.push({ ...role(r), tags: tagRecord(r.Tags) });
      return out;
    });
  } catch (error) {
    if (!isDenied(error)) throw error;
  }
  const listed: FoundResource[] = [];
  await o.limit(async () => {
    for await (const page of sdk.paginateListRoles({ client: iam, pageSize: 1000 }, {}))
      for (const r of page.Roles ?? []) listed.push(role(r));
  });
  return tagEach(listed, o, (r) =>
    pagedTags(sdk.paginateListRoleTags({ client: iam }, { RoleName: r.name })),
  );
}

/** Refused for want of permission (an explicit deny, or no allow). */
function isDenied(error: unknown): boolean {
  const name = awsErrorName(error);
  return name === "AccessDenied" || name === "AccessDeniedException" || name === "UnauthorizedOperation";
}

/** IAM is global: roles, instance profiles, OIDC providers (with tags), customer-managed policies. */
export async function listIam(aws: AwsContext, o: ListOptions): Promise<FoundResource[]> {
  const sdk = awsSdk.iam();
  const iam = new sdk.IAMClient(awsClientConfig(aws, "IAM"));
  const region = GLOBAL_REGION;
  try {
    const [roles, profiles, providers, policies] = await Promise.all([
      guarded("IAM roles", () => listRolesWithTags(iam, sdk, o), o.onMissing),
      guarded(
        "IAM instance profiles",
        async () => {
          const listed: FoundResource[] = [];
          for await (const page of sdk.paginateListInstanceProfiles({ client: iam, pageSize: 1000 }, {}))
            for (const p of page.InstanceProfiles ?? [])
              listed.push({
                type: "iam-instance-profile",
                id: p.InstanceProfileName ?? "",
                name: p.InstanceProfileName ?? "",
                arn: p.Arn,
                region,
                tags: {},
                createdAt: iso(p.CreateDate),
              });
          // Listings carry no tags on AWS; GetInstanceProfile does (ListInstanceProfileTags is absent on moto).
          return tagEach(listed, o, async (p) =>
            tagRecord(
              (await iam.send(new sdk.GetInstanceProfileCommand({ InstanceProfileName: p.name })))
                .InstanceProfile?.Tags,
            ),
          );
        },
        o.onMissing,
      ),
      guarded(
        "IAM OIDC providers",
        async () => {
          const list = await o.limit(() => iam.send(new sdk.ListOpenIDConnectProvidersCommand({})));
          const found = await Promise.all(
            (list.OpenIDConnectProviderList ?? []).map(async (p) => {
              const arn = p.Arn ?? "";
              let url = arn;
              let created: Date | undefined;
              let gone = false;
              const r = await withTags(
                { type: "iam-oidc-provider", id: arn, arn, name: arn, region, tags: {} } as FoundResource,
                () =>
                  o.limit(async () => {
                    const d = await getOidcProvider(aws, arn);
                    // Deleted between the listing and now: nothing left to report.
                    if (!d) {
                      gone = true;
                      return {};
                    }
                    url = d.url || arn;
                    created = d.createdAt;
                    return d.tags;
                  }),
              );
              if (gone) return undefined;
              const createdAt = iso(created);
              return r && ({ ...r, name: url, ...(createdAt ? { createdAt } : {}) } as FoundResource);
            }),
          );
          return found.filter((r): r is FoundResource => r !== undefined);
        },
        o.onMissing,
      ),
      guarded(
        "IAM policies",
        async () => {
          const listed: FoundResource[] = [];
          for await (const page of sdk.paginateListPolicies(
            { client: iam, pageSize: 1000 },
            { Scope: "Local" },
          ))
            for (const p of page.Policies ?? [])
              listed.push({
                type: "iam-policy",
                id: p.Arn ?? "",
                arn: p.Arn,
                name: p.PolicyName ?? "",
                region,
                tags: {},
                createdAt: iso(p.CreateDate),
              });
          // ListPolicies carries no tags: one paged ListPolicyTags per customer-managed policy.
          return tagEach(listed, o, (p) =>
            pagedTags(sdk.paginateListPolicyTags({ client: iam }, { PolicyArn: p.id })),
          );
        },
        o.onMissing,
      ),
    ]);
    return [...roles, ...profiles, ...providers, ...policies];
  } finally {
    iam.destroy();
  }
}

/**
 * S3 buckets, account-wide, each with its tags (ListBuckets carries none: one GetBucketTagging per
 * bucket, concurrently; a bucket without tags answers NoSuchTagSet). The model bucket is
 * `<base>-models-<account>`, and a bucket tagged for another project or environment is not ours,
 * whatever its name.
 */
export async function listBuckets(aws: AwsContext, o: ListOptions): Promise<FoundResource[]> {
  const sdk = awsSdk.s3();
  // Buckets live in many regions; the tag read follows S3's redirect to each one's own.
  const s3 = new sdk.S3Client({ ...awsClientConfig(aws, "S3"), followRegionRedirects: true });
  try {
    return await o.limit(() =>
      guarded(
        "S3 buckets",
        async () => {
          const out: FoundResource[] = [];
          for await (const page of sdk.paginateListBuckets({ client: s3 }, {}))
            for (const b of page.Buckets ?? [])
              out.push({
                type: "s3-bucket",
                id: b.Name ?? "",
                name: b.Name ?? "",
                region: b.BucketRegion ?? GLOBAL_REGION,
                tags: {},
                createdAt: iso(b.CreationDate),
              });
          return tagEach(out, o, async (b) => {
            try {
              return tagRecord((await s3.send(new sdk.GetBucketTaggingCommand({ Bucket: b.name }))).TagSet);
            } catch (error) {
              if (awsErrorName(error) === "NoSuchTagSet") return {};
              throw error;
            }
          });
        },
        o.onMissing,
      ),
    );
  } finally {
    s3.destroy();
  }
}

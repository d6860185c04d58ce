import { awsErrorName } from "../errors.js";
import { type AwsContext, awsClientConfig, isNotFound } from "./clients.js";
import { describeRepository as describeEcrRepository } from "./ecr.js";
import { deleteAllImages } from "./ecr-images.js";
import { describeCluster, describeNodegroup } from "./eks.js";
import type { FoundResource } from "./found-resource.js";
import { getInstanceProfile, getRole, listAttachedRolePolicies } from "./iam.js";
import { sdk as awsSdk } from "./sdk.js";

/**
 * Narrow delete calls for cleanup, one per resource type. Each is idempotent: a resource that is
 * already gone counts as deleted, so an interrupted cleanup converges when run again. Calls that AWS
 * refuses while a dependency is still going away (eventual consistency) are retried with backoff.
 */

export interface TeardownOptions {
  /** Longest wait for a deletion to finish or a dependency to go (NAT gateways, node groups, ENIs). */
  waitMs: number;
  /** First poll/retry interval; doubles up to 15 s. */
  pollMs: number;
  /** Is this other resource the project's (instance profiles found on a role)? Unreadable tags: undefined. */
  ownsProfile: (profile: TaggedName) => boolean;
  log: (message: string) => void;
  /** True once the user pressed Ctrl-C: waits stop instead of sleeping on. */
  stopped?: () => boolean;
}

export const DEFAULT_TEARDOWN: Omit<TeardownOptions, "ownsProfile" | "log"> = {
  waitMs: 15 * 60_000,
  pollMs: 2_000,
};

/** Refused on purpose (a bucket that still holds data): reported as skipped, not failed. */
export class SkipDeletion extends Error {}

const DEPENDENCY = new Set([
  "DependencyViolation",
  "ResourceInUse",
  "ResourceInUseException",
  "DeleteConflict",
  "DeleteConflictException",
  "InvalidIPAddress.InUse",
  "AuthFailure.AddressInUse",
  "InvalidNetworkInterface.InUse",
  "VolumeInUse",
  "IncorrectState",
  "ConcurrentModification",
  "ConcurrentModificationException",
]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries while AWS says a dependency is still there; "already gone" is success. */
async function withDependencyRetry(
  o: TeardownOptions,
  what: string,
  fn: () => Promise<unknown>,
): Promise<void> {
  const deadline = Date.now() + o.waitMs;
  let delay = o.pollMs;
  for (;;) {
    try {
      await fn();
      return;
    } catch (error) {
      if (isNotFound(error)) return;
      const name = awsErrorName(error);
      if (!name || !DEPENDENCY.has(name) || Date.now() + delay > deadline) throw error;
      if (o.stopped?.()) throw new Error(`interrupted while ${what} waited for a dependency (${name})`);
      o.log(`${what}: ${name}, retrying in ${Math.round(delay / 1000)}s`);
      await sleep(delay);
      delay = Math.min(delay * 2, 15_000);
    }
  }
}

/** Polls until `done()` is true or the wait runs out. */
async function waitUntil(o: TeardownOptions, what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + o.waitMs;
  let delay = o.pollMs;
  while (!(await done())) {
    if (Date.now() + delay > deadline)
      throw new Error(`timed out after ${Math.round(o.waitMs / 1000)}s waiting for ${what}`);
    if (o.stopped?.()) throw new Error(`interrupted while waiting for ${what}`);
    await sleep(delay);
    delay = Math.min(delay * 2, 15_000);
  }
}

async function ignoreGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

type Deleter = (aws: AwsContext, r: FoundResource, o: TeardownOptions) => Promise<void>;

const ec2Client = async (aws: AwsContext) => {
  const sdk = awsSdk.ec2();
  return { sdk, ec2: new sdk.EC2Client(awsClientConfig(aws, "EC2")) };
};

type Ec2Api = ReturnType<typeof awsSdk.ec2>;

/** One EC2 delete call, retried while a dependency is still going away. */
async function deleteEc2(
  aws: AwsContext,
  o: TeardownOptions,
  id: string,
  call: (api: Ec2Api, ec2: InstanceType<Ec2Api["EC2Client"]>) => Promise<unknown>,
): Promise<void> {
  const { sdk, ec2 } = await ec2Client(aws);
  try {
    await withDependencyRetry(o, id, () => call(sdk, ec2));
  } finally {
    ec2.destroy();
  }
}

const deleters: Record<FoundResource["type"], Deleter> = {
  "eks-nodegroup": async (aws, r, o) => {
    const sdk = awsSdk.eks();
    const eks = new sdk.EKSClient(awsClientConfig(aws, "EKS"));
    const clusterName = r.cluster ?? r.id.split(":")[0] ?? "";
    try {
      await withDependencyRetry(o, r.id, () =>
        eks.send(new sdk.DeleteNodegroupCommand({ clusterName, nodegroupName: r.name })),
      );
      await waitUntil(
        o,
        `node group ${r.name} to be deleted`,
        async () => (await describeNodegroup(aws, clusterName, r.name)) === undefined,
      );
    } finally {
      eks.destroy();
    }
  },
  "eks-cluster": async (aws, r, o) => {
    const sdk = awsSdk.eks();
    const eks = new sdk.EKSClient(awsClientConfig(aws, "EKS"));
    try {
      await withDependencyRetry(o, r.id, () => eks.send(new sdk.DeleteClusterCommand({ name: r.name })));
      await waitUntil(
        o,
        `cluster ${r.name} to be deleted`,
        async () => (await describeCluster(aws, r.name)) === undefined,
      );
    } finally {
      eks.destroy();
    }
  },
  "load-balancer": async (aws, r) => {
    const sdk = awsSdk.elbv2();
    const elb = new sdk.ElasticLoadBalancingV2Client(awsClientConfig(aws, "ELASTIC_LOAD_BALANCING_V2"));
    await ignoreGone(elb.send(new sdk.DeleteLoadBalancerCommand({ LoadBalancerArn: r.id }))).finally(() =>
      elb.destroy(),
    );
  },
  "classic-load-balancer": async (aws, r) => {
    const sdk = awsSdk.elb();
    const elb = new sdk.ElasticLoadBalancingClient(awsClientConfig(aws, "ELASTIC_LOAD_BALANCING"));
    await ignoreGone(elb.send(new sdk.DeleteLoadBalancerCommand({ LoadBalancerName: r.id }))).finally(() =>
      elb.destroy(),
    );
  },
  "nat-gateway": async (aws, r, o) => {
    const { sdk, ec2 } = await ec2Client(aws);
    try {
      await ignoreGone(ec2.send(new sdk.DeleteNatGatewayCommand({ NatGatewayId: r.id })));
      // Its EIP and ENI are released only once the gateway is really gone.
      await waitUntil(o, `NAT gateway ${r.id} to be deleted`, async () => {
        try {
          const out = await ec2.send(new sdk.DescribeNatGatewaysCommand({ NatGatewayIds: [r.id] }));
          return (out.NatGateways ?? []).every((g) => g.State === "deleted");
        } catch (error) {
          if (isNotFound(error)) return true;
          throw error;
        }
      });
    } finally {
      ec2.destroy();
    }
  },
  "elastic-ip": (aws, r, o) =>
    deleteEc2(aws, o, r.id, (api, ec2) => ec2.send(new api.ReleaseAddressCommand({ AllocationId: r.id }))),
  "network-interface": (aws, r, o) =>
    deleteEc2(aws, o, r.id, (api, ec2) =>
      ec2.send(new api.DeleteNetworkInterfaceCommand({ NetworkInterfaceId: r.id })),
    ),
  "security-group": (aws, r, o) =>
    deleteEc2(aws, o, r.id, (api, ec2) => ec2.send(new api.DeleteSecurityGroupCommand({ GroupId: r.id }))),
  "internet-gateway": async (aws, r, o) => {
    const { sdk, ec2 } = await ec2Client(aws);
    try {
      const out = await ec2
        .send(new sdk.DescribeInternetGatewaysCommand({ InternetGatewayIds: [r.id] }))
        .catch((error) => {
          if (isNotFound(error)) return { InternetGateways: [] };
          throw error;
        });
      const attachments = out.InternetGateways?.[0]?.Attachments ?? [];
      if (!out.InternetGateways?.length) return;
      for (const a of attachments) {
        if (!a.VpcId) continue;
        const VpcId = a.VpcId;
        await withDependencyRetry(o, r.id, () =>
          ec2.send(new sdk.DetachInternetGatewayCommand({ InternetGatewayId: r.id, VpcId })),
        );
      }
      await withDependencyRetry(o, r.id, () =>
        ec2.send(new sdk.DeleteInternetGatewayCommand({ InternetGatewayId: r.id })),
      );
    } finally {
      ec2.destroy();
    }
  },
  subnet: (aws, r, o) =>
    deleteEc2(aws, o, r.id, (api, ec2) => ec2.send(new api.DeleteSubnetCommand({ SubnetId: r.id }))),
  "route-table": async (aws, r, o) => {
    const { sdk, ec2 } = await ec2Client(aws);
    try {
      const out = await ec2
        .send(new sdk.DescribeRouteTablesCommand({ RouteTableIds: [r.id] }))
        .catch((error) => {
          if (isNotFound(error)) return { RouteTables: [] };
          throw error;
        });
      const table = out.RouteTables?.[0];
      if (!table) return;
      for (const a of table.Associations ?? []) {
        if (a.Main || !a.RouteTableAssociationId) continue;
        await ignoreGone(
          ec2.send(new sdk.DisassociateRouteTableCommand({ AssociationId: a.RouteTableAssociationId })),
        );
      }
      await withDependencyRetry(o, r.id, () =>
        ec2.send(new sdk.DeleteRouteTableCommand({ RouteTableId: r.id })),
      );
    } finally {
      ec2.destroy();
    }
  },
  vpc: (aws, r, o) =>
    deleteEc2(aws, o, r.id, (api, ec2) => ec2.send(new api.DeleteVpcCommand({ VpcId: r.id }))),
  "ebs-volume": (aws, r, o) =>
    deleteEc2(aws, o, r.id, (api, ec2) => ec2.send(new api.DeleteVolumeCommand({ VolumeId: r.id }))),
  "ecr-repository": async (aws, r) => {
    await deleteRepository(aws, r.name);
  },
  "s3-bucket": async (aws, r) => {
    const sdk = awsSdk.s3();
    const s3 = new sdk.S3Client(awsClientConfig(aws, "S3"));
    try {
      const out = await s3
        .send(new sdk.ListObjectVersionsCommand({ Bucket: r.name, MaxKeys: 1 }))
        .catch((error) => {
          if (isNotFound(error)) return undefined;
          throw error;
        });
      if (!out) return;
      if ((out.Versions?.length ?? 0) + (out.DeleteMarkers?.length ?? 0) > 0) {
        // Model data is never deleted by a cleanup: the bucket goes only once someone has emptied it.
        throw new SkipDeletion(`bucket ${r.name} still holds objects; empty it yourself if they can go`);
      }
      await ignoreGone(s3.send(new sdk.DeleteBucketCommand({ Bucket: r.name })));
    } finally {
      s3.destroy();
    }
  },
  "log-group": async (aws, r) => {
    const sdk = awsSdk.logs();
    const logs = new sdk.CloudWatchLogsClient(awsClientConfig(aws, "CLOUDWATCH_LOGS"));
    await ignoreGone(logs.send(new sdk.DeleteLogGroupCommand({ logGroupName: r.name }))).finally(() =>
      logs.destroy(),
    );
  },
  "iam-role": async (aws, r, o) => {
    await teardownRole(aws, r.name, o);
  },
  "iam-instance-profile": async (aws, r, o) => {
    const sdk = awsSdk.iam();
    const iam = new sdk.IAMClient(awsClientConfig(aws, "IAM"));
    try {
      const profile = await getInstanceProfile(aws, r.name);
      if (!profile) return;
      for (const RoleName of profile.roles) {
        await ignoreGone(
          iam.send(new sdk.RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: r.name, RoleName })),
        );
      }
      await withDependencyRetry(o, r.name, () =>
        iam.send(new sdk.DeleteInstanceProfileCommand({ InstanceProfileName: r.name })),
      );
    } finally {
      iam.destroy();
    }
  },
  "iam-oidc-provider": async (aws, r) => {
    const sdk = awsSdk.iam();
    const iam = new sdk.IAMClient(awsClientConfig(aws, "IAM"));
    await ignoreGone(
      iam.send(new sdk.DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: r.id })),
    ).finally(() => iam.destroy());
  },
  "iam-policy": async (aws, r, o) => {
    const sdk = awsSdk.iam();
    const iam = new sdk.IAMClient(awsClientConfig(aws, "IAM"));
    const PolicyArn = r.id;
    try {
      try {
        for await (const page of sdk.paginateListEntitiesForPolicy({ client: iam }, { PolicyArn })) {
          for (const x of page.PolicyRoles ?? [])
            await ignoreGone(iam.send(new sdk.DetachRolePolicyCommand({ PolicyArn, RoleName: x.RoleName })));
          for (const x of page.PolicyUsers ?? [])
            await ignoreGone(iam.send(new sdk.DetachUserPolicyCommand({ PolicyArn, UserName: x.UserName })));
          for (const x of page.PolicyGroups ?? [])
            await ignoreGone(
              iam.send(new sdk.DetachGroupPolicyCommand({ PolicyArn, GroupName: x.GroupName })),
            );
        }
        const versions = await iam.send(new sdk.ListPolicyVersionsCommand({ PolicyArn }));
        for (const v of versions.Versions ?? []) {
          if (v.IsDefaultVersion || !v.VersionId) continue;
          await ignoreGone(
            iam.send(new sdk.DeletePolicyVersionCommand({ PolicyArn, VersionId: v.VersionId })),
          );
        }
      } catch (error) {
        if (isNotFound(error)) return;
        throw error;
      }
      await withDependencyRetry(o, r.name, () => iam.send(new sdk.DeletePolicyCommand({ PolicyArn })));
    } finally {
      iam.destroy();
    }
  },
  "kms-alias": async (aws, r) => {
    const sdk = awsSdk.kms();
    const kms = new sdk.KMSClient(awsClientConfig(aws, "KMS"));
    await ignoreGone(kms.send(new sdk.DeleteAliasCommand({ AliasName: r.name }))).finally(() =>
      kms.destroy(),
    );
  },
  "kms-key": async (aws, r) => {
    const sdk = awsSdk.kms();
    const kms = new sdk.KMSClient(awsClientConfig(aws, "KMS"));
    try {
      const meta = (await kms.send(new sdk.DescribeKeyCommand({ KeyId: r.id }))).KeyMetadata;
      if (meta?.KeyState === "PendingDeletion") return;
      // The shortest window AWS allows; the key can still be recovered (CancelKeyDeletion) for 7 days.
      await kms.send(new sdk.ScheduleKeyDeletionCommand({ KeyId: r.id, PendingWindowInDays: 7 }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    } finally {
      kms.destroy();
    }
  },
};

export async function deleteResource(aws: AwsContext, r: FoundResource, o: TeardownOptions): Promise<void> {
  await deleters[r.type]({ ...aws, region: r.region === "global" ? aws.region : r.region }, r, o);
}

/**
 * Removes every reference a group holds to another group, so groups that point at each other can be
 * deleted in any order (what Kubernetes leaves: node and LB groups referencing each other).
 */
export async function revokeGroupReferences(aws: AwsContext, groupIds: string[]): Promise<void> {
  if (groupIds.length === 0) return;
  const { sdk, ec2 } = await ec2Client(aws);
  try {
    const out = await ec2
      .send(new sdk.DescribeSecurityGroupsCommand({ GroupIds: groupIds }))
      .catch((error) => {
        if (isNotFound(error)) return { SecurityGroups: [] };
        throw error;
      });
    for (const g of out.SecurityGroups ?? []) {
      const refers = (p: { UserIdGroupPairs?: unknown[] }) => (p.UserIdGroupPairs?.length ?? 0) > 0;
      const ingress = (g.IpPermissions ?? []).filter(refers);
      const egress = (g.IpPermissionsEgress ?? []).filter(refers);
      if (ingress.length)
        await ignoreGone(
          ec2.send(new sdk.RevokeSecurityGroupIngressCommand({ GroupId: g.GroupId, IpPermissions: ingress })),
        );
      if (egress.length)
        await ignoreGone(
          ec2.send(new sdk.RevokeSecurityGroupEgressCommand({ GroupId: g.GroupId, IpPermissions: egress })),
        );
    }
  } finally {
    ec2.destroy();
  }
}

/** A name with the tags read for it; `tags` undefined when they could not be read, `tagsUnreadable` says why. */
export interface TaggedName {
  name: string;
  tags: Record<string, string> | undefined;
  tagsUnreadable?: string;
}

export interface RoleInventory extends TaggedName {
  exists: boolean;
  attachedPolicies: string[];
  inlinePolicies: string[];
  instanceProfiles: TaggedName[];
}

/** Tags read by `read`; a failure (a deny) is reported, never replaced by "no tags". */
async function readTags(
  read: () => Promise<Record<string, string>>,
): Promise<Pick<TaggedName, "tags" | "tagsUnreadable">> {
  try {
    return { tags: await read() };
  } catch (error) {
    if (isNotFound(error)) throw error;
    return { tags: undefined, tagsUnreadable: awsErrorName(error) ?? String(error) };
  }
}

/** What a role teardown would remove (paged). A role that does not exist has nothing. */
export async function describeRole(aws: AwsContext, roleName: string): Promise<RoleInventory> {
  const sdk = awsSdk.iam();
  const iam = new sdk.IAMClient(awsClientConfig(aws, "IAM"));
  try {
    const role = await getRole(aws, roleName);
    if (!role)
      return {
        name: roleName,
        exists: false,
        tags: {},
        attachedPolicies: [],
        inlinePolicies: [],
        instanceProfiles: [],
      };
    const tags = await readTags(async () => {
      const out: Record<string, string> = {};
      for await (const page of sdk.paginateListRoleTags({ client: iam }, { RoleName: roleName }))
        for (const t of page.Tags ?? []) if (t.Key) out[t.Key] = t.Value ?? "";
      return out;
    });
    const attachedPolicies = (await listAttachedRolePolicies(aws, roleName))
      .map((p) => p.arn)
      .filter(Boolean);
    const inlinePolicies: string[] = [];
    for await (const page of sdk.paginateListRolePolicies({ client: iam }, { RoleName: roleName }))
      inlinePolicies.push(...(page.PolicyNames ?? []));
    const profileNames: string[] = [];
    for await (const page of sdk.paginateListInstanceProfilesForRole({ client: iam }, { RoleName: roleName }))
      for (const p of page.InstanceProfiles ?? [])
        if (p.InstanceProfileName) profileNames.push(p.InstanceProfileName);
    // The listing carries no tags on AWS; GetInstanceProfile does.
    const instanceProfiles = await Promise.all(
      profileNames.map(async (name) => ({
        name,
        ...(await readTags(async () => {
          const out = await iam.send(new sdk.GetInstanceProfileCommand({ InstanceProfileName: name }));
          const t: Record<string, string> = {};
          for (const tag of out.InstanceProfile?.Tags ?? []) if (tag.Key) t[tag.Key] = tag.Value ?? "";
          return t;
        })),
      })),
    );
    return { name: roleName, exists: true, ...tags, attachedPolicies, inlinePolicies, instanceProfiles };
  } finally {
    iam.destroy();
  }
}

/**
 * Detaches managed policies, deletes inline ones, takes the role out of its instance profiles
 * (deleting the profiles that are the project's), then deletes the role. A missing role is success.
 */
export async function teardownRole(aws: AwsContext, roleName: string, o: TeardownOptions): Promise<void> {
  const sdk = awsSdk.iam();
  const iam = new sdk.IAMClient(awsClientConfig(aws, "IAM"));
  try {
    const role = await describeRole(aws, roleName);
    if (!role.exists) return;
    for (const PolicyArn of role.attachedPolicies) {
      await ignoreGone(iam.send(new sdk.DetachRolePolicyCommand({ RoleName: roleName, PolicyArn })));
      o.log(`role ${roleName}: detached ${PolicyArn}`);
    }
    for (const PolicyName of role.inlinePolicies) {
      await ignoreGone(iam.send(new sdk.DeleteRolePolicyCommand({ RoleName: roleName, PolicyName })));
      o.log(`role ${roleName}: deleted inline policy ${PolicyName}`);
    }
    for (const profile of role.instanceProfiles) {
      const InstanceProfileName = profile.name;
      await ignoreGone(
        iam.send(new sdk.RemoveRoleFromInstanceProfileCommand({ RoleName: roleName, InstanceProfileName })),
      );
      if (o.ownsProfile(profile)) {
        await ignoreGone(iam.send(new sdk.DeleteInstanceProfileCommand({ InstanceProfileName })));
        o.log(`role ${roleName}: deleted instance profile ${InstanceProfileName}`);
      } else {
        o.log(
          `role ${roleName}: removed from instance profile ${InstanceProfileName} (not the project's, kept)`,
        );
      }
    }
    await withDependencyRetry(o, roleName, () => iam.send(new sdk.DeleteRoleCommand({ RoleName: roleName })));
  } finally {
    iam.destroy();
  }
}

export interface RepositoryInventory extends TaggedName {
  exists: boolean;
  images: number;
}

export async function describeRepository(aws: AwsContext, name: string): Promise<RepositoryInventory> {
  const sdk = awsSdk.ecr();
  const ecr = new sdk.ECRClient(awsClientConfig(aws, "ECR"));
  try {
    const repo = await describeEcrRepository(aws, name);
    if (!repo) return { name, exists: false, tags: {}, images: 0 };
    // A failure to read the tags is kept as such: falling back to the name alone would let a repository
    // tagged for another project, but named like ours, be deleted.
    const tags = await readTags(async () => {
      const out = await ecr.send(new sdk.ListTagsForResourceCommand({ resourceArn: repo.arn }));
      const t: Record<string, string> = {};
      for (const tag of out.tags ?? []) if (tag.Key) t[tag.Key] = tag.Value ?? "";
      return t;
    });
    if (tags.tags === undefined) return { name, exists: true, ...tags, images: 0 };
    const { listImageIds } = await import("./ecr-images.js");
    return { name, exists: true, ...tags, images: (await listImageIds(aws, name)).length };
  } finally {
    ecr.destroy();
  }
}

/** Every image (batch-deleted), then the repository; a missing repository is success. */
export async function deleteRepository(aws: AwsContext, name: string): Promise<number> {
  const sdk = awsSdk.ecr();
  const ecr = new sdk.ECRClient(awsClientConfig(aws, "ECR"));
  let deleted = 0;
  try {
    // An image pushed meanwhile (a CI run), or a delete the registry has not caught up with, leaves the
    // repository not empty: empty it again, a few times, rather than fail the teardown.
    for (let attempt = 1; ; attempt++) {
      deleted += await deleteAllImages(aws, name);
      try {
        await ignoreGone(ecr.send(new sdk.DeleteRepositoryCommand({ repositoryName: name })));
        return deleted;
      } catch (error) {
        if ((error as { name?: string }).name !== "RepositoryNotEmptyException" || attempt >= 3) throw error;
      }
    }
  } finally {
    ecr.destroy();
  }
}

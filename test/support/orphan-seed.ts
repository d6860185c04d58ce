import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVolumeCommand,
  CreateVpcCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import {
  CreateLoadBalancerCommand as CreateClbCommand,
  ElasticLoadBalancingClient,
} from "@aws-sdk/client-elastic-load-balancing";
import {
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, PutBucketTaggingCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { awsClientConfig } from "../../src/aws/clients.js";

/** Seeds the emulator through the SDK (fast: no Terraform), for orphan-scan and cleanup tests. */
export class Seeder {
  readonly aws;
  readonly ec2;
  readonly iam;
  constructor(env: NodeJS.ProcessEnv, region = "us-east-1") {
    this.aws = { region, env, sandbox: true };
    this.ec2 = new EC2Client(awsClientConfig(this.aws, "EC2"));
    this.iam = new IAMClient(awsClientConfig(this.aws, "IAM"));
  }
  destroy(): void {
    this.ec2.destroy();
    this.iam.destroy();
  }
  static tags(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
    return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  }
  private spec(type: string, tags: Record<string, string>) {
    // EC2 refuses an empty tag specification.
    return Object.keys(tags).length === 0
      ? undefined
      : [{ ResourceType: type as never, Tags: Seeder.tags(tags) }];
  }

  async vpc(cidr: string, tags: Record<string, string>): Promise<string> {
    const out = await this.ec2.send(
      new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: this.spec("vpc", tags) }),
    );
    return out.Vpc?.VpcId ?? "";
  }
  async subnet(vpcId: string, cidr: string, tags: Record<string, string>): Promise<string> {
    const out = await this.ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: cidr,
        AvailabilityZone: "us-east-1a",
        TagSpecifications: this.spec("subnet", tags),
      }),
    );
    return out.Subnet?.SubnetId ?? "";
  }
  async igw(vpcId: string, tags: Record<string, string>): Promise<string> {
    const out = await this.ec2.send(
      new CreateInternetGatewayCommand({ TagSpecifications: this.spec("internet-gateway", tags) }),
    );
    const id = out.InternetGateway?.InternetGatewayId ?? "";
    await this.ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId }));
    return id;
  }
  async eip(tags: Record<string, string>): Promise<string> {
    const out = await this.ec2.send(
      new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: this.spec("elastic-ip", tags) }),
    );
    return out.AllocationId ?? "";
  }
  async nat(subnetId: string, allocationId: string, tags: Record<string, string>): Promise<string> {
    const out = await this.ec2.send(
      new CreateNatGatewayCommand({
        SubnetId: subnetId,
        AllocationId: allocationId,
        TagSpecifications: this.spec("natgateway", tags),
      }),
    );
    return out.NatGateway?.NatGatewayId ?? "";
  }
  async securityGroup(vpcId: string, name: string, tags: Record<string, string>): Promise<string> {
    const out = await this.ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: vpcId,
        GroupName: name,
        Description: name,
        TagSpecifications: this.spec("security-group", tags),
      }),
    );
    return out.GroupId ?? "";
  }
  async allowFrom(groupId: string, sourceGroupId: string): Promise<void> {
    await this.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: sourceGroupId }] },
        ],
      }),
    );
  }
  async eni(subnetId: string, tags: Record<string, string>): Promise<string> {
    const out = await this.ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnetId,
        TagSpecifications: this.spec("network-interface", tags),
      }),
    );
    return out.NetworkInterface?.NetworkInterfaceId ?? "";
  }
  async routeTable(
    vpcId: string,
    subnetId: string | undefined,
    tags: Record<string, string>,
  ): Promise<string> {
    const out = await this.ec2.send(
      new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: this.spec("route-table", tags) }),
    );
    const id = out.RouteTable?.RouteTableId ?? "";
    if (subnetId)
      await this.ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnetId }));
    return id;
  }
  async volume(
    sizeGb: number,
    volumeType: "gp2" | "gp3" | "io1",
    tags: Record<string, string>,
  ): Promise<string> {
    const out = await this.ec2.send(
      new CreateVolumeCommand({
        Size: sizeGb,
        VolumeType: volumeType,
        AvailabilityZone: "us-east-1a",
        ...(volumeType === "io1" ? { Iops: 1000 } : {}),
        TagSpecifications: this.spec("volume", tags),
      }),
    );
    return out.VolumeId ?? "";
  }
  async alb(name: string, subnetIds: string[], tags: Record<string, string>): Promise<string> {
    const elb = new ElasticLoadBalancingV2Client(awsClientConfig(this.aws, "ELASTIC_LOAD_BALANCING_V2"));
    try {
      const out = await elb.send(
        new CreateLoadBalancerCommand({ Name: name, Subnets: subnetIds, Tags: Seeder.tags(tags) }),
      );
      return out.LoadBalancers?.[0]?.LoadBalancerArn ?? "";
    } finally {
      elb.destroy();
    }
  }
  async clb(name: string, subnetIds: string[], tags: Record<string, string>): Promise<string> {
    const elb = new ElasticLoadBalancingClient(awsClientConfig(this.aws, "ELASTIC_LOAD_BALANCING"));
    try {
      await elb.send(
        new CreateClbCommand({
          LoadBalancerName: name,
          Subnets: subnetIds,
          Listeners: [{ Protocol: "TCP", LoadBalancerPort: 80, InstancePort: 80 }],
          Tags: Seeder.tags(tags),
        }),
      );
      return name;
    } finally {
      elb.destroy();
    }
  }
  async role(name: string, tags: Record<string, string> = {}): Promise<string> {
    const out = await this.iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
        Tags: Seeder.tags(tags),
      }),
    );
    return out.Role?.Arn ?? "";
  }
  async roleWithEverything(name: string, profile: string): Promise<void> {
    await this.role(name);
    await this.iam.send(
      new AttachRolePolicyCommand({
        RoleName: name,
        PolicyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      }),
    );
    await this.iam.send(
      new AttachRolePolicyCommand({
        RoleName: name,
        PolicyArn: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
      }),
    );
    for (const policy of ["read-models", "write-logs"]) {
      await this.iam.send(
        new PutRolePolicyCommand({
          RoleName: name,
          PolicyName: policy,
          PolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
          }),
        }),
      );
    }
    await this.instanceProfile(profile);
    await this.iam.send(
      new AddRoleToInstanceProfileCommand({ InstanceProfileName: profile, RoleName: name }),
    );
  }
  async instanceProfile(name: string, tags: Record<string, string> = {}): Promise<void> {
    await this.iam.send(
      new CreateInstanceProfileCommand({ InstanceProfileName: name, Tags: Seeder.tags(tags) }),
    );
  }
  async oidcProvider(url: string, tags: Record<string, string>): Promise<string> {
    const out = await this.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: url,
        ClientIDList: ["sts.amazonaws.com"],
        ThumbprintList: ["a".repeat(40)],
        Tags: Seeder.tags(tags),
      }),
    );
    return out.OpenIDConnectProviderArn ?? "";
  }
  async policy(name: string, tags: Record<string, string> = {}): Promise<string> {
    const out = await this.iam.send(
      new CreatePolicyCommand({
        PolicyName: name,
        Tags: Seeder.tags(tags),
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "*" }],
        }),
      }),
    );
    return out.Policy?.Arn ?? "";
  }
  async repository(name: string, images = 0, tags: Record<string, string> = {}): Promise<void> {
    const ecr = new ECRClient(awsClientConfig(this.aws, "ECR"));
    try {
      await ecr.send(
        new CreateRepositoryCommand({
          repositoryName: name,
          ...(Object.keys(tags).length ? { tags: Seeder.tags(tags) } : {}),
        }),
      );
      for (let i = 0; i < images; i++) {
        const manifest = JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.docker.distribution.manifest.v2+json",
          config: { digest: `sha256:${String(i).padStart(64, "0")}` },
        });
        await ecr.send(
          new PutImageCommand({ repositoryName: name, imageManifest: manifest, imageTag: `v${i}` }),
        );
      }
    } finally {
      ecr.destroy();
    }
  }
  async bucket(name: string, withObject = false, tags: Record<string, string> = {}): Promise<void> {
    const s3 = new S3Client(awsClientConfig(this.aws, "S3"));
    try {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
      if (Object.keys(tags).length > 0)
        await s3.send(
          new PutBucketTaggingCommand({
            Bucket: name,
            Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
          }),
        );
      if (withObject)
        await s3.send(new PutObjectCommand({ Bucket: name, Key: "models/config.pbtxt", Body: "x" }));
    } finally {
      s3.destroy();
    }
  }
  async logGroup(name: string, tags: Record<string, string> = {}): Promise<void> {
    const logs = new CloudWatchLogsClient(awsClientConfig(this.aws, "CLOUDWATCH_LOGS"));
    await logs
      .send(new CreateLogGroupCommand({ logGroupName: name, ...(Object.keys(tags).length ? { tags } : {}) }))
      .finally(() => logs.destroy());
  }
  async kmsKey(alias: string | undefined, tags: Record<string, string>): Promise<string> {
    const kms = new KMSClient(awsClientConfig(this.aws, "KMS"));
    try {
      const out = await kms.send(
        new CreateKeyCommand({
          Tags: Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })),
        }),
      );
      const id = out.KeyMetadata?.KeyId ?? "";
      if (alias) await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: id }));
      return id;
    } finally {
      kms.destroy();
    }
  }
}

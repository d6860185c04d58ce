// What `up` leaves in AWS for a project, seeded through the SDK instead of a full Terraform apply:
// the EKS cluster, the ECR repository holding the image tag, and the project's tagged VPC.
import { CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import { CreateClusterCommand, EKSClient } from "@aws-sdk/client-eks";

export interface SeedOptions {
  endpoint: string;
  name: string;
  environment: string;
  imageTag: string;
  region?: string;
}

export async function seedProjectAws(options: SeedOptions): Promise<{ vpcId: string }> {
  const base = `${options.name}-${options.environment}`;
  const config = {
    region: options.region ?? "us-east-1",
    endpoint: options.endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  const eks = new EKSClient(config);
  const ecr = new ECRClient(config);
  const ec2 = new EC2Client(config);
  try {
    await eks.send(
      new CreateClusterCommand({
        name: base,
        roleArn: `arn:aws:iam::123456789012:role/${base}-eks-cluster`,
        resourcesVpcConfig: { subnetIds: [] },
      }),
    );
    await ecr.send(new CreateRepositoryCommand({ repositoryName: `${base}-triton` }));
    await ecr.send(
      new PutImageCommand({
        repositoryName: `${base}-triton`,
        imageTag: options.imageTag,
        imageManifest: JSON.stringify({
          schemaVersion: 2,
          mediaType: "application/vnd.docker.distribution.manifest.v2+json",
          config: {
            digest: `sha256:${"1".repeat(64)}`,
            size: 1,
            mediaType: "application/vnd.docker.container.image.v1+json",
          },
          layers: [],
        }),
      }),
    );
    const vpc = await ec2.send(
      new CreateVpcCommand({
        CidrBlock: "10.0.0.0/16",
        TagSpecifications: [
          {
            ResourceType: "vpc",
            Tags: [
              { Key: "Project", Value: options.name },
              { Key: "Environment", Value: options.environment },
            ],
          },
        ],
      }),
    );
    return { vpcId: vpc.Vpc!.VpcId! };
  } finally {
    eks.destroy();
    ecr.destroy();
    ec2.destroy();
  }
}

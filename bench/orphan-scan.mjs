// `triton-ops orphan-scan --json` vs the seed's AWS CLI sequence over the same emulator account:
// 300 IAM roles, 50 VPCs, 200 volumes, 30 ECR repositories (a tenth of each is the project's).
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CreateVolumeCommand, CreateVpcCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateRepositoryCommand, ECRClient } from "@aws-sdk/client-ecr";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import pLimit from "p-limit";
import { compare, timeCommand } from "./lib.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(root, "bin", "triton-ops.js");

export async function seed(env) {
  const config = {
    region: "us-east-1",
    endpoint: env.AWS_ENDPOINT_URL,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  const ec2 = new EC2Client(config);
  const iam = new IAMClient(config);
  const ecr = new ECRClient(config);
  const limit = pLimit(8);
  const ours = (i, every) => i % every === 0;
  const tags = (type, name, project) => [
    {
      ResourceType: type,
      Tags: [
        { Key: "Name", Value: name },
        ...(project
          ? [
              { Key: "ManagedBy", Value: "triton-ops" },
              { Key: "Project", Value: "bench" },
            ]
          : []),
      ],
    },
  ];
  const trust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  });
  await Promise.all([
    ...Array.from({ length: 300 }, (_, i) =>
      limit(() =>
        iam.send(
          new CreateRoleCommand({
            RoleName: ours(i, 10) ? `bench-dev-role-${i}` : `team-${i}-role`,
            AssumeRolePolicyDocument: trust,
          }),
        ),
      ),
    ),
    ...Array.from({ length: 50 }, (_, i) =>
      limit(() =>
        ec2.send(
          new CreateVpcCommand({
            CidrBlock: `10.${i}.0.0/16`,
            TagSpecifications: tags("vpc", ours(i, 10) ? `bench-dev-${i}` : `team-${i}`, ours(i, 10)),
          }),
        ),
      ),
    ),
    ...Array.from({ length: 200 }, (_, i) =>
      limit(() =>
        ec2.send(
          new CreateVolumeCommand({
            Size: 10 + (i % 50),
            VolumeType: i % 3 ? "gp3" : "gp2",
            AvailabilityZone: "us-east-1a",
            TagSpecifications: tags("volume", ours(i, 10) ? `bench-dev-data-${i}` : `team-${i}`, ours(i, 10)),
          }),
        ),
      ),
    ),
    ...Array.from({ length: 30 }, (_, i) =>
      limit(() =>
        ecr.send(
          new CreateRepositoryCommand({
            repositoryName: ours(i, 10) ? `bench-dev-repo-${i}` : `team-${i}-repo`,
          }),
        ),
      ),
    ),
  ]);
  for (const c of [ec2, iam, ecr]) c.destroy();
}

// The seed's checks, as its scripts ran them: one AWS CLI process per question.
const SEED_SCRIPT = `set -e
aws eks list-clusters >/dev/null
aws ec2 describe-vpcs --filters Name=tag:Project,Values=bench >/dev/null
aws iam list-roles | grep -c bench-dev >/dev/null
aws ec2 describe-volumes --filters Name=status,Values=available >/dev/null
aws ecr describe-repositories >/dev/null
aws elbv2 describe-load-balancers >/dev/null
`;

export async function run({ repetitions = 5 } = {}) {
  const { startMoto, stopProcess, sandboxEnv } = await import(
    path.join(root, "dist", "sandbox", "sandbox.js")
  );
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-orphans-"));
  const moto = await startMoto({ workRoot: work, env: process.env, detached: false });
  try {
    const env = sandboxEnv(process.env, moto.endpoint, "us-east-1");
    await seed(env);
    await writeFile(path.join(work, "triton-ops.yaml"), "name: bench\nenvironment: dev\nregion: us-east-1\n");
    return [
      await compare({
        name: "orphan-scan: 300 roles, 50 VPCs, 200 volumes, 30 repos vs the seed's AWS CLI sequence",
        // Exit 1: the seeded project resources are orphans.
        subject: () =>
          timeCommand(process.execPath, [bin, "orphan-scan", "--json"], {
            env,
            cwd: work,
            okCodes: [1],
            measureMemory: true,
          }),
        reference: () => timeCommand("bash", ["-c", SEED_SCRIPT], { env, cwd: work }),
        repetitions,
        target: 0.2,
        note: "the scan also covers subnets, gateways, EIPs, SGs, ENIs, route tables, CLBs, logs, KMS, S3, profiles, OIDC, policies",
      }),
    ];
  } finally {
    await stopProcess(moto.pid);
  }
}

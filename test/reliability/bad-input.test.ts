import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { snapshotTree } from "../support/files.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

/**
 * Bad input: one clear line (plus at most one hint line), the documented exit code, no stack trace,
 * and nothing changed on disk.
 */
interface Case {
  name: string;
  args: string;
  yaml?: string;
  env?: NodeJS.ProcessEnv;
  code: number;
  message: RegExp;
}

async function fakeTerraform(version: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tf-old-"));
  const file = path.join(dir, "terraform");
  await writeFile(file, `#!/bin/sh\necho '{"terraform_version":"${version}"}'\n`);
  await chmod(file, 0o755);
  return file;
}

const base = { ...process.env, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "", AWS_PROFILE: "" };

const cases: Case[] = [
  {
    name: "malformed YAML",
    args: "status",
    yaml: "name: [oops\n",
    code: 2,
    message: /not valid YAML \(line \d+, column \d+\)/,
  },
  {
    name: "YAML that is a list",
    args: "status",
    yaml: "- a\n- b\n",
    code: 2,
    message: /mapping of settings, not a list/,
  },
  { name: "unknown key", args: "status", yaml: "nmae: acme\n", code: 2, message: /unknown key "nmae"/ },
  {
    name: "unknown nested key",
    args: "status",
    yaml: "gpu:\n  maxsize: 3\n",
    code: 2,
    message: /unknown key "maxsize" in gpu/,
  },
  {
    name: "bad region",
    args: "status",
    yaml: "region: mars-1\n",
    code: 2,
    message: /region = "mars-1": must be an AWS region/,
  },
  { name: "bad region flag", args: "status --region US-EAST-1", code: 2, message: /region = "US-EAST-1"/ },
  {
    name: "bad CIDR",
    args: "status",
    yaml: "network:\n  vpcCidr: 10.0.0.0/33\n",
    code: 2,
    message: /network\.vpcCidr/,
  },
  {
    name: "CIDR with host bits",
    args: "status",
    yaml: "network:\n  vpcCidr: 10.1.2.3/16\n",
    code: 2,
    message: /IPv4 CIDR/,
  },
  {
    name: "service CIDR overlapping the VPC",
    args: "status",
    yaml: "network:\n  vpcCidr: 10.0.0.0/16\ncluster:\n  serviceCidr: 10.0.128.0/20\n",
    code: 2,
    message: /cluster\.serviceCidr = "10\.0\.128\.0\/20": overlaps network\.vpcCidr 10\.0\.0\.0\/16/,
  },
  {
    name: "public service CIDR",
    args: "status",
    yaml: "cluster:\n  serviceCidr: 100.64.0.0/16\n",
    code: 2,
    message: /cluster\.serviceCidr.*within 10\.0\.0\.0\/8/,
  },
  {
    name: "VPC too small for its AZs",
    args: "status",
    yaml: "network:\n  vpcCidr: 10.0.0.0/24\n  azCount: 4\n",
    code: 2,
    message: /network\.vpcCidr.*too small for 4 AZs: public subnets would be \/29/,
  },
  {
    name: "VPC prefix out of range",
    args: "status",
    yaml: "network:\n  vpcCidr: 10.0.0.0/8\n",
    code: 2,
    message: /network\.vpcCidr.*prefix from \/16 to \/24/,
  },
  {
    name: "bad public access CIDR",
    args: "status",
    yaml: "cluster:\n  publicAccessCidrs: [1.2.3.4]\n",
    code: 2,
    message: /cluster\.publicAccessCidrs\.0/,
  },
  {
    name: "az count too small",
    args: "status",
    yaml: "network:\n  azCount: 1\n",
    code: 2,
    message: /network\.azCount = 1/,
  },
  {
    name: "name too long",
    args: "status",
    yaml: "name: abcdefghijklmnopqrstuvwxyz\n",
    code: 2,
    message: /name = "abcdefghijklmnopqrstuvwxyz"/,
  },
  { name: "name with capitals", args: "status", yaml: "name: Acme\n", code: 2, message: /name = "Acme"/ },
  {
    name: "min > desired",
    args: "status",
    yaml: "gpu:\n  minSize: 2\n  desiredSize: 1\n",
    code: 2,
    message: /minSize <= desiredSize <= maxSize/,
  },
  {
    name: "desired > max",
    args: "status",
    yaml: "gpu:\n  desiredSize: 5\n  maxSize: 2\n",
    code: 2,
    message: /1 <= 5 <= 2/,
  },
  {
    name: "non-GPU instance type",
    args: "status",
    yaml: "gpu:\n  instanceTypes: [m5.large]\n",
    code: 2,
    message: /GPU instance type/,
  },
  {
    name: "bad Kubernetes version",
    args: "status",
    yaml: 'kubernetesVersion: "1.20"\n',
    code: 2,
    message: /kubernetesVersion/,
  },
  {
    name: "bad capacity type",
    args: "status",
    yaml: "gpu:\n  capacityType: cheap\n",
    code: 2,
    message: /gpu\.capacityType/,
  },
  {
    name: "wildcard GitHub repository",
    args: "status",
    yaml: "github:\n  repository: acme/*\n",
    code: 2,
    message: /without wildcards/,
  },
  {
    name: "bad account id",
    args: "status",
    yaml: "allowedAccountIds: ['12345']\n",
    code: 2,
    message: /12-digit account id/,
  },
  {
    name: "s3 backend without bucket",
    args: "status",
    yaml: "state:\n  backend: s3\n",
    code: 2,
    message: /state\.bucket/,
  },
  {
    name: "missing --config file",
    args: "status --config nope.yaml",
    code: 2,
    message: /Cannot read config file/,
  },
  {
    name: "bad TRITON_OPS_SANDBOX",
    args: "status",
    env: { TRITON_OPS_SANDBOX: "perhaps" },
    code: 2,
    message: /not a boolean/,
  },
  { name: "unknown stage", args: "up --stage gpu", code: 2, message: /Unknown stage "gpu"/ },
  { name: "all mixed with stages", args: "plan --stage all,vpc", code: 2, message: /cannot be combined/ },
  { name: "unknown command", args: "upp", code: 2, message: /unknown command 'upp'/ },
  { name: "unknown option", args: "up --stages all", code: 2, message: /unknown option '--stages'/ },
  { name: "missing option value", args: "up --stage", code: 2, message: /argument missing/ },
  {
    name: "conflicting init flags",
    args: "init --yes --state-bucket b",
    code: 2,
    message: /needs --state-backend s3/,
  },
  {
    name: "non-numeric GPU count",
    args: "init --yes --gpu-max lots",
    code: 2,
    message: /--gpu-max must be a whole number/,
  },
  {
    name: "bad state backend choice",
    args: "init --yes --state-backend gcs",
    code: 2,
    message: /Allowed choices are local, s3/,
  },
  {
    name: "terraform missing",
    args: "up --stage vpc --yes",
    env: { TRITON_OPS_TERRAFORM: "/nonexistent/terraform", TRITON_OPS_PROVIDER_MIRROR: providerMirror() },
    code: 2,
    message: /Terraform not found/,
  },
  {
    name: "bad provider mirror",
    args: "up --stage vpc --yes",
    env: { TRITON_OPS_PROVIDER_MIRROR: "/nonexistent" },
    code: 2,
    message: /does not hold registry/,
  },
  {
    name: "stage needing unapplied stages",
    args: "up --stage eks --yes",
    code: 2,
    message: /needs vpc and iam and ecr, which are not applied/,
  },
  { name: "init without a terminal", args: "init", code: 2, message: /no terminal/ },
];

describe("bad input", () => {
  for (const c of cases) {
    it(`${c.name}: one line, exit ${c.code}, nothing changed`, async () => {
      const cwd = await mkdtemp(path.join(os.tmpdir(), "bad-"));
      if (c.yaml !== undefined) await writeFile(path.join(cwd, "triton-ops.yaml"), c.yaml);
      const before = await snapshotTree(cwd);
      const run = await runCli(c.args, { cwd, env: { ...base, ...c.env } });
      expect(run.code, run.stderr).toBe(c.code);
      const lines = run.stderr.trim().split("\n");
      expect(lines[0]).toMatch(c.message);
      expect(lines.length, run.stderr).toBeLessThanOrEqual(2);
      expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(run.stdout).toBe("");
      expect(await snapshotTree(cwd)).toBe(before);
    });
  }

  it("terraform too old", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "bad-"));
    const run = await runCli("up --stage vpc --yes", {
      cwd,
      env: { ...base, TRITON_OPS_TERRAFORM: await fakeTerraform("1.5.7") },
    });
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n")[0]).toMatch(/Terraform 1\.5\.7 is too old/);
  });
});

import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CreateClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type Moto, startTestMoto } from "../../test/support/moto.js";
import { makeProject } from "../../test/support/project.js";
import { runCli } from "../../test/support/run-cli.js";

let moto: Moto;
let dir: string;

beforeAll(async () => {
  moto = await startTestMoto();
  dir = await mkdtemp(path.join(os.tmpdir(), "kubeconfig-"));
  const eks = new EKSClient({
    region: "us-east-1",
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  await eks.send(
    new CreateClusterCommand({
      name: "standalone",
      roleArn: "arn:aws:iam::123456789012:role/eks",
      resourcesVpcConfig: { subnetIds: [] },
    }),
  );
  eks.destroy();
});
afterAll(async () => moto?.stop());

describe("triton-ops kubeconfig", () => {
  it("without a project: reads endpoint and CA from EKS and prints the entry without writing", async () => {
    const run = await runCli("kubeconfig --cluster standalone --region us-east-1", {
      cwd: dir,
      env: moto.env,
    });
    expect(run.code).toBe(0);
    const doc = parse(run.stdout);
    expect(doc.clusters[0].cluster.server).toMatch(/^https:\/\//);
    expect(doc.clusters[0].cluster["certificate-authority-data"]).toBeTruthy();
    expect(doc.users[0].user.exec.args).toEqual([
      "token",
      "--cluster",
      "standalone",
      "--region",
      "us-east-1",
    ]);
    expect(run.stderr).toContain("EKS DescribeCluster");
  });

  it("--write merges into KUBECONFIG, keeps other contexts, mode 0600", async () => {
    const file = path.join(dir, "config");
    await writeFile(
      file,
      "apiVersion: v1\nkind: Config\nclusters: [{name: keep, cluster: {server: 'https://keep'}}]\nusers: [{name: keep, user: {}}]\ncontexts: [{name: keep, context: {cluster: keep, user: keep}}]\ncurrent-context: keep\n",
    );
    const run = await runCli("kubeconfig --cluster standalone --region us-east-1 --write --json", {
      cwd: dir,
      env: { ...moto.env, KUBECONFIG: file },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ written: true, file, context: "standalone" });
    const doc = parse(await readFile(file, "utf8"));
    expect(doc.contexts.map((c: { name: string }) => c.name)).toEqual(["keep", "standalone"]);
    expect(doc["current-context"]).toBe("standalone");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it("in a project: endpoint and CA from the eks stack's state, context named after the cluster", async () => {
    const project = await makeProject({
      outputs: {
        eks: {
          cluster_name: "acme-dev",
          cluster_endpoint: "https://STATE.gr7.us-east-1.eks.amazonaws.com",
          cluster_certificate_authority_data: "U1RBVEUK",
        },
      },
    });
    const file = path.join(project, "kc");
    const run = await runCli(`kubeconfig --write --kubeconfig ${file}`, { cwd: project, env: moto.env });
    expect(run.code).toBe(0);
    const doc = parse(await readFile(file, "utf8"));
    expect(doc.clusters[0]).toEqual({
      name: "acme-dev",
      cluster: {
        server: "https://STATE.gr7.us-east-1.eks.amazonaws.com",
        "certificate-authority-data": "U1RBVEUK",
      },
    });
  });

  it("loads the config once: each config warning is printed once, by every command that resolves a target", async () => {
    const project = await makeProject({
      config: { cluster: { publicAccessCidrs: ["0.0.0.0/0"] } },
      outputs: {
        eks: {
          cluster_name: "acme-dev",
          cluster_endpoint: "https://STATE.gr7.us-east-1.eks.amazonaws.com",
          cluster_certificate_authority_data: "U1RBVEUK",
        },
      },
    });
    const warning = "cluster.publicAccessCidrs allows 0.0.0.0/0";
    const env = { ...moto.env, KUBECONFIG: path.join(project, "no-kubeconfig") };
    for (const command of ["kubeconfig", "verify --only aws.identity", "status"]) {
      const run = await runCli(command, { cwd: project, env });
      expect(run.stderr.split(warning).length - 1, `${command}: ${run.stderr}`).toBe(1);
    }
  });

  it("a cluster that does not exist is a usage error naming it", async () => {
    const run = await runCli("kubeconfig --cluster nope --region us-east-1", { cwd: dir, env: moto.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("EKS cluster nope does not exist in us-east-1");
  });

  it("refuses to overwrite a kubeconfig it cannot parse", async () => {
    const file = path.join(dir, "broken");
    await writeFile(file, "- just\n- a list\n");
    const run = await runCli(
      `kubeconfig --cluster standalone --region us-east-1 --write --kubeconfig ${file}`,
      {
        cwd: dir,
        env: moto.env,
      },
    );
    expect(run.code).toBe(2);
    expect(await readFile(file, "utf8")).toBe("- just\n- a list\n");
  });
});

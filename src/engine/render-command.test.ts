import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { makeProject } from "../../test/support/project.js";
import { runCli } from "../../test/support/run-cli.js";

const outputs = {
  ecr: {
    repository_url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-dev-triton",
    model_bucket_name: "acme-dev-models",
  },
  eks: {
    triton_irsa_role_arn: "arn:aws:iam::123456789012:role/acme-dev-triton-irsa",
    cluster_autoscaler_irsa_role_arn: "arn:aws:iam::123456789012:role/acme-dev-cluster-autoscaler",
  },
};

describe("triton-ops render", () => {
  it("prints every manifest as YAML on stdout, without the Grafana Secret", async () => {
    const project = await makeProject({ outputs });
    const run = await runCli("render", { cwd: project, env: {} });
    expect(run.code).toBe(0);
    const docs = parseAllDocuments(run.stdout).map((d) => d.toJS());
    expect(docs.some((d) => d.kind === "Deployment" && d.metadata.name === "triton")).toBe(true);
    expect(docs.some((d) => d.kind === "Secret")).toBe(false);
    expect(run.stderr).toContain("grafana-admin");
  });

  it("--out writes one file per template and reports them in --json", async () => {
    const project = await makeProject({ outputs });
    const run = await runCli("render --out manifests --json", { cwd: project, env: {} });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.files).toContain("triton/triton.yaml");
    expect(result.warnings).toEqual([]);
    const written = await readdir(path.join(project, "manifests", "gpu"));
    expect(written.sort()).toEqual(["dcgm-exporter.yaml", "node-exporter.yaml", "nvidia-device-plugin.yaml"]);
    const triton = await readFile(path.join(project, "manifests", "triton", "triton.yaml"), "utf8");
    expect(triton).toContain("s3://acme-dev-models/models");
  });

  it("warns when the stacks it reads are not applied", async () => {
    const project = await makeProject();
    const run = await runCli("render --json", { cwd: project, env: {} });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).warnings).toHaveLength(2);
  });
});

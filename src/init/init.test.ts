import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../test/support/run-cli.js";
import { loadConfig } from "../config/load.js";

const tmp = () => mkdtemp(path.join(os.tmpdir(), "init-"));

describe("triton-ops init", () => {
  it("asks nothing with --yes and writes a file the loader accepts", async () => {
    const cwd = await tmp();
    const run = await runCli(
      "init --yes --name acme --region eu-west-1 --env staging --gpu-instance-types g6.xlarge,g5.2xlarge --gpu-max 4 --spot --github-repo acme/models",
      { cwd },
    );
    expect(run.code).toBe(0);
    expect(run.asked).toEqual([]);
    const { config } = await loadConfig({ cwd, env: {} });
    expect(config).toMatchObject({
      name: "acme",
      region: "eu-west-1",
      environment: "staging",
      gpu: { instanceTypes: ["g6.xlarge", "g5.2xlarge"], maxSize: 4, capacityType: "SPOT" },
      github: { repository: "acme/models" },
    });
  });

  it("asks each question in a terminal, in order", async () => {
    const cwd = await tmp();
    const run = await runCli("init", {
      cwd,
      tty: true,
      answers: [
        { question: /AWS region/, answer: "us-west-2" },
        { question: /Name prefix/, answer: "ml" },
        { question: /Environment/, answer: "" },
        { question: /Kubernetes version/, answer: "1.32" },
        { question: /GPU instance types/, answer: "g5.xlarge" },
        { question: /minimum/, answer: "0" },
        { question: /desired/, answer: "1" },
        { question: /maximum/, answer: "3" },
        { question: /GPU capacity/, answer: false },
        { question: /GitHub repository/, answer: "" },
        { question: /Terraform state/, answer: "local" },
      ],
    });
    expect(run.code).toBe(0);
    const text = await readFile(path.join(cwd, "triton-ops.yaml"), "utf8");
    expect(text).toContain("region: us-west-2");
    expect(text).toContain("environment: dev");
    expect(text).not.toContain("github");
    expect((await stat(path.join(cwd, "triton-ops.yaml"))).mode & 0o777).toBe(0o644);
  });

  it("records --provider-mirror, so a later shell without TRITON_OPS_PROVIDER_MIRROR finds it", async () => {
    const cwd = await tmp();
    const mirror = path.join(cwd, "mirror");
    await mkdir(path.join(mirror, "registry.terraform.io", "hashicorp", "aws"), { recursive: true });
    const run = await runCli("init --yes --sandbox --name demo --provider-mirror mirror", { cwd });
    expect(run.code, run.stderr).toBe(0);
    // Read back with an empty environment: the mirror comes from the file alone, as an absolute path.
    const { config } = await loadConfig({ cwd, env: {} });
    expect(config.terraform.providerMirror).toBe(mirror);
    // The variable still wins over the file, as every TRITON_OPS_* setting does.
    const other = path.join(cwd, "other");
    const { config: overridden } = await loadConfig({ cwd, env: { TRITON_OPS_PROVIDER_MIRROR: other } });
    expect(overridden.terraform.providerMirror).toBe(other);
  });

  it("refuses a --provider-mirror without the aws provider, writing nothing", async () => {
    const cwd = await tmp();
    const run = await runCli("init --yes --provider-mirror empty", { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")[0]).toContain(
      `Provider mirror ${path.join(cwd, "empty")} does not hold registry.terraform.io/hashicorp/aws.`,
    );
    expect(await readdir(cwd)).toEqual([]);
  });

  it("refuses to overwrite without --force and leaves the file as it was", async () => {
    const cwd = await tmp();
    await writeFile(path.join(cwd, "triton-ops.yaml"), "name: keep\n");
    const run = await runCli("init --yes", { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("already exists");
    expect(await readFile(path.join(cwd, "triton-ops.yaml"), "utf8")).toBe("name: keep\n");
  });

  it("refuses to prompt without a terminal", async () => {
    const run = await runCli("init", { cwd: await tmp() });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no terminal/);
  });

  it("rejects bad flag values with one line naming the field", async () => {
    const cwd = await tmp();
    const run = await runCli("init --yes --gpu-min 3 --gpu-desired 2", { cwd });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")[0]).toMatch(/gpu\.desiredSize/);
    const bad = await runCli("init --yes --gpu-instance-types t3.large", { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/GPU instance type/);
  });
});

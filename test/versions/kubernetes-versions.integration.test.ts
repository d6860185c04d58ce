import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { bundledCatalog, isoDay, phaseOn } from "../../src/config/kubernetes-versions.js";
import { CALENDAR_2026_12_01, type EksStandin, startEksStandin } from "../support/eks-standin.js";
import { type Moto, startTestMoto } from "../support/moto.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

/** A machine with no AWS configuration at all: no variables, an empty home. */
async function bareEnv(): Promise<NodeJS.ProcessEnv> {
  const home = await mkdtemp(path.join(os.tmpdir(), "home-"));
  return { PATH: process.env.PATH, HOME: home, TRITON_OPS_PROVIDER_MIRROR: providerMirror() };
}

async function setVersion(cwd: string, version: string): Promise<void> {
  const file = path.join(cwd, "triton-ops.yaml");
  const doc = parse(await readFile(file, "utf8")) as Record<string, unknown>;
  await writeFile(file, stringify({ ...doc, kubernetesVersion: version }));
}

describe("Kubernetes versions: where they come from and what plan/up do with them", () => {
  let moto: Moto;
  let eks: EksStandin;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    moto = await startTestMoto();
    eks = await startEksStandin({ clusterVersions: CALENDAR_2026_12_01 });
    // A normal config pointed at the emulator by AWS_ENDPOINT_URL: the emulator has no
    // DescribeClusterVersions, so the bundled table answers.
    env = { ...moto.env, TRITON_OPS_PROVIDER_MIRROR: providerMirror() };
  });

  afterAll(async () => {
    await eks?.stop();
    await moto?.stop();
  });

  it("init --yes without AWS access writes a version in standard support today", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "fresh-"));
    const run = await runCli("init --yes --name fresh", { cwd, env: await bareEnv() });
    expect(run.code, run.stderr).toBe(0);
    const written = parse(await readFile(path.join(cwd, "triton-ops.yaml"), "utf8")).kubernetesVersion;
    const info = bundledCatalog().versions.find((v) => v.version === written);
    expect(info, `wrote ${written}`).toBeDefined();
    expect(phaseOn(info!, isoDay(new Date()))).toBe("standard");
  });

  it("init --yes takes EKS's own default when AWS answers DescribeClusterVersions", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "live-"));
    const run = await runCli("init --yes --name live", {
      cwd,
      env: {
        ...(await bareEnv()),
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_ENDPOINT_URL_EKS: eks.url,
      },
    });
    expect(run.code, run.stderr).toBe(0);
    // The stand-in marks 1.34 as default; the bundled table would have given 1.35.
    expect(parse(await readFile(path.join(cwd, "triton-ops.yaml"), "utf8")).kubernetesVersion).toBe("1.34");
    expect(eks.calls).toContain("GET /cluster-versions");
  });

  it("init refuses a version past extended support and writes nothing", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "old-init-"));
    const run = await runCli("init --yes --name old --kubernetes-version 1.31", {
      cwd,
      env: await bareEnv(),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("1.31 reached the end of EKS extended support on 2026-11-26");
    expect(existsSync(path.join(cwd, "triton-ops.yaml"))).toBe(false);
  });

  it("plan warns about an extended-support version with its monthly surcharge", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "extended-"));
    expect((await runCli("init --yes --name ext", { cwd, env })).code).toBe(0);
    await setVersion(cwd, "1.33");
    const run = await runCli("plan --stage eks --json", { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("Kubernetes 1.33 is in EKS extended support until 2027-07-29");
    expect(run.stderr).toContain("about $365/month more than standard support");
    const doc = JSON.parse(run.stdout) as {
      kubernetesVersion: { phase: string; source: string; monthlySurcharge: number };
    };
    expect(doc.kubernetesVersion).toMatchObject({
      phase: "extended",
      source: "bundled",
      monthlySurcharge: 365,
    });
  });

  it("plan and up refuse a version past extended support: one line, exit 2, nothing written", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "past-"));
    expect((await runCli("init --yes --name past", { cwd, env })).code).toBe(0);
    await setVersion(cwd, "1.31");
    for (const command of ["plan --stage all", "up --stage eks --yes --skip-preflight"]) {
      const run = await runCli(command, { cwd, env });
      expect(run.code, command).toBe(2);
      const lines = run.stderr.trim().split("\n");
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toContain("Kubernetes 1.31 reached the end of EKS extended support on 2026-11-26");
      expect(run.stdout).toBe("");
      expect(existsSync(path.join(cwd, ".triton-ops", "dev")), command).toBe(false);
    }
  });
});

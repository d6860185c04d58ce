import os from "node:os";
import { describe, expect, it } from "vitest";
import { makeProject } from "../support/project.js";
import { runCli } from "../support/run-cli.js";

describe("status: the cluster's Kubernetes version, its support phase and end date", () => {
  const env = { PATH: process.env.PATH, HOME: os.tmpdir(), TRITON_OPS_TODAY: "2026-12-01" };

  it("reads the version from the eks stack and judges it against the calendar (bundled without AWS)", async () => {
    const cwd = await makeProject({
      outputs: { eks: { cluster_name: "acme-dev", cluster_version: "1.33" } },
    });
    const json = await runCli("status --json", { cwd, env });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).kubernetes).toMatchObject({
      version: "1.33",
      phase: "extended",
      endOfExtendedSupport: "2027-07-29",
      source: "bundled",
      next: "1.34",
    });
    const text = await runCli("status", { cwd, env });
    expect(text.stdout).toContain(
      "Kubernetes 1.33: extended support until 2027-07-29 (about $365/month more) (bundled table of 2026-12-01)",
    );
  });

  it("says nothing about a version before the cluster exists", async () => {
    const cwd = await makeProject({});
    const json = await runCli("status --json", { cwd, env });
    expect(JSON.parse(json.stdout).kubernetes).toBeUndefined();
  });
});

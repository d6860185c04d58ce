import { describe, expect, it } from "vitest";
import { runCli } from "./support/run-cli.js";

describe("the CLI shell", () => {
  it("prints its version", async () => {
    const run = await runCli("--version");
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("lists commands in --help", async () => {
    const run = await runCli("--help");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("sandbox");
  });

  it("answers an unknown command with one line and exit 2", async () => {
    const run = await runCli("frobnicate");
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")[0]).toMatch(/unknown command 'frobnicate'/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints usage and exits 2 with no arguments and no terminal", async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Usage: triton-ops");
  });
});

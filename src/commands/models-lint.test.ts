import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../test/support/run-cli.js";

const fixtures = path.resolve(import.meta.dirname, "../../test/fixtures/models");
const env = { PATH: process.env.PATH ?? "", HOME: tmpdir() };

describe("triton-ops models lint", () => {
  it("prints the documented JSON and exits 0 for a clean repository", async () => {
    const run = await runCli(["models", "lint", "templates/sample-model/models", "--json"], { env });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toEqual({
      ok: true,
      root: path.resolve("templates/sample-model/models"),
      models: [
        {
          name: "identity",
          path: path.resolve("templates/sample-model/models/identity"),
          backend: "python",
          versions: [1],
          findings: [],
        },
      ],
    });
  });

  it("exits 1 with file:line:col for a config that does not parse", async () => {
    const run = await runCli(["models", "lint", path.join(fixtures, "findings", "config.parse")], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/m\/config\.pbtxt:5:1: error config\.parse: expected "\}", found end of file/);
  });

  it("exits 2 with one line for a missing directory or one that is not a repository", async () => {
    const missing = await runCli(["models", "lint", path.join(fixtures, "nope")], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr.split("\n")[0]).toMatch(/^Error: .*nope is not a directory\.$/);
    const empty = mkdtempSync(path.join(tmpdir(), "models-"));
    writeFileSync(path.join(empty, "README"), "not a model");
    const notRepo = await runCli(["models", "lint", empty], { env });
    expect(notRepo.code).toBe(2);
    expect(notRepo.stderr).toMatch(/is not a Triton model repository/);
    expect(notRepo.stdout).toBe("");
  });

  it("refuses a bad --gpus-per-node and uses a good one", async () => {
    const dir = path.join(fixtures, "findings", "instance-group.gpu-id");
    expect((await runCli(["models", "lint", dir, "--gpus-per-node", "zero"], { env })).code).toBe(2);
    expect((await runCli(["models", "lint", dir, "--gpus-per-node", "2"], { env })).code).toBe(0);
    const one = await runCli(["models", "lint", dir, "--gpus-per-node", "1", "--json"], { env });
    expect(one.code).toBe(1);
    expect(JSON.parse(one.stdout).models[0].findings[0]).toMatchObject({
      code: "instance-group.gpu-id",
      line: 6,
    });
  });
});

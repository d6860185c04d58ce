import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../test/support/run-cli.js";

/** Bad input to the ci commands is one line, exit 2, before any config, sandbox or AWS is touched. */
describe("ci and image input checks", () => {
  it("refuses a --repo that is not OWNER/NAME", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "ci-input-"));
    for (const args of ["ci init --repo acme", "ci check --repo acme/*"]) {
      const run = await runCli(args, { cwd, env: {} });
      expect(run.code, args).toBe(2);
      expect(run.stderr, args).toMatch(
        /^Error: --repo "acme(\/\*)?" is not a GitHub repository name\.\n {2}Give it as OWNER\/NAME/,
      );
    }
    expect(await readdir(cwd)).toEqual([]);
  });

  it("refuses a --dir that is a file", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "ci-input-"));
    await writeFile(path.join(cwd, "not-a-dir"), "x");
    const run = await runCli("ci init --dir not-a-dir", { cwd, env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is a file, not a directory");
    expect(await readdir(cwd)).toEqual(["not-a-dir"]);
  });

  it("refuses an invalid image tag", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "ci-input-"));
    const run = await runCli(["image", "push", "--tag", "-bad"], { cwd, env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--tag "-bad" is not a valid image tag.');
    expect(await readdir(cwd)).toEqual([]);
  });
});

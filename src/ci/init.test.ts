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

  it("refuses a --cli-package that can move, and ids that are not GitHub's, before anything else", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "ci-input-"));
    for (const [args, line] of [
      [["ci", "init", "--cli-package", "triton-ops@latest"], "must be a name at an exact version"],
      [["ci", "init", "--cli-package", "git+https://github.com/a/b.git#main"], "must name a full commit"],
      [["ci", "init", "--repo-id", "22"], "--repo-id and --owner-id go together"],
      [["ci", "init", "--repo-id", "x", "--owner-id", "1"], '--repo-id "x" is not GitHub\'s numeric id.'],
    ] as const) {
      const run = await runCli([...args], { cwd, env: {} });
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr, args.join(" ")).toContain(line);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await readdir(cwd)).toEqual([]);
  });

  it("refuses an invalid image tag", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "ci-input-"));
    const run = await runCli(["image", "push", "--tag", "-bad"], { cwd, env: {} });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--tag "-bad" is not a valid image tag.');
    expect(await readdir(cwd)).toEqual([]);
  });
});

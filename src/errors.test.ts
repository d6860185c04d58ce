import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ExitCode } from "./errors.js";
import { PACKAGE_ROOT } from "./paths.js";

/** The rows of the README's "## Exit codes" table: code and meaning. */
async function readmeExitCodes(): Promise<Array<{ code: number; meaning: string }>> {
  const readme = await readFile(path.join(PACKAGE_ROOT, "README.md"), "utf8");
  const section = readme.split(/^## Exit codes$/m)[1]?.split(/^## /m)[0] ?? "";
  return section
    .split("\n")
    .map((line) => /^\|\s*(\d+)\s*\|\s*(.+?)\s*\|$/.exec(line))
    .flatMap((m) => (m ? [{ code: Number(m[1]), meaning: m[2]! }] : []));
}

describe("exit codes", () => {
  it("the README's table documents exactly the codes of the ExitCode table, in order", async () => {
    const rows = await readmeExitCodes();
    expect(rows.map((r) => r.code)).toEqual(Object.values(ExitCode));
    const meaning = Object.fromEntries(rows.map((r) => [r.code, r.meaning]));
    // Each row says what its ExitCode name means.
    expect(meaning[ExitCode.ok]).toMatch(/success/);
    expect(meaning[ExitCode.findings]).toMatch(/checks failed, findings reported/);
    expect(meaning[ExitCode.usage]).toMatch(/usage or configuration error.*nothing was changed/);
    expect(meaning[ExitCode.external]).toMatch(/AWS, Terraform or Kubernetes failed/);
    expect(meaning[ExitCode.interrupted]).toMatch(/interrupted/);
  });
});

import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LINT_CODES, lintRepository } from "./lint.js";
import { readRepository } from "./repository.js";

const fixtures = path.resolve(import.meta.dirname, "../../test/fixtures/models");

/** Fixtures where Triton's rules make a second finding unavoidable alongside the one under test. */
const ALSO: Record<string, string[]> = {
  "ensemble.unmapped-input": ["ensemble.unused-input"],
};

describe("models lint fixtures", () => {
  it("has a fixture of its own for every finding code", () => {
    expect(readdirSync(path.join(fixtures, "findings")).sort()).toEqual(Object.keys(LINT_CODES).sort());
  });

  for (const code of Object.keys(LINT_CODES)) {
    it(`reports ${code} in its fixture, and nothing else`, async () => {
      const snapshot = await readRepository(path.join(fixtures, "findings", code));
      const result = lintRepository(
        snapshot,
        code === "instance-group.gpu-count-unknown" ? {} : { gpusPerNode: 1 },
      );
      const codes = [...new Set(result.models.flatMap((m) => m.findings.map((f) => f.code)))].sort();
      expect(codes).toEqual([code, ...(ALSO[code] ?? [])].sort());
      expect(result.ok).toBe(LINT_CODES[code] === "warning");
      const finding = result.models.flatMap((m) => m.findings).find((f) => f.code === code);
      expect(finding?.severity).toBe(LINT_CODES[code]);
      if (finding?.file.endsWith("config.pbtxt")) expect(finding.line).toBeGreaterThan(0);
    });
  }

  it("passes the valid repositories and the sample model", async () => {
    for (const dir of ["valid", "valid-ensemble"]) {
      const result = lintRepository(await readRepository(path.join(fixtures, dir)), { gpusPerNode: 1 });
      expect(result.models.flatMap((m) => m.findings)).toEqual([]);
      expect(result.ok).toBe(true);
    }
    const sample = lintRepository(
      await readRepository(path.resolve(fixtures, "../../../templates/sample-model/models")),
    );
    expect(sample).toMatchObject({
      ok: true,
      models: [{ name: "identity", backend: "python", versions: [1], findings: [] }],
    });
  });

  it("names the file, line and column of a schema error", async () => {
    const result = lintRepository(
      await readRepository(path.join(fixtures, "findings", "config.unknown-enum")),
    );
    expect(result.models[0]?.findings[0]).toMatchObject({ file: "m/config.pbtxt", line: 4, col: 33 });
  });

  it("checks a GPU id against the GPUs per node it was given", async () => {
    const snapshot = await readRepository(path.join(fixtures, "findings", "instance-group.gpu-id"));
    expect(lintRepository(snapshot, { gpusPerNode: 2 }).ok).toBe(true);
    expect(lintRepository(snapshot, { gpusPerNode: 1 }).models[0]?.findings[0]?.message).toMatch(
      /GPU 1.*1 GPU/,
    );
  });

  it("refuses a directory that is missing or holds no model", async () => {
    await expect(readRepository(path.join(fixtures, "nope"))).rejects.toMatchObject({
      code: "models.not-a-repository",
      exitCode: 2,
    });
    await expect(
      readRepository(path.join(fixtures, "findings", "config.missing", "m", "1")),
    ).rejects.toMatchObject({
      code: "models.not-a-repository",
    });
  });
});

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import module from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "aws", "sdk.js");

interface Stats {
  accepted: number;
  missing: number;
  rejected: number;
}

/**
 * The SDK loader's hand-written code cache (Node 20 only: later Nodes use module.enableCompileCache).
 * Each load runs in a fresh process and reports what V8 did with each entry, so a cache that is written
 * but never read, or read but always rejected, fails here.
 */
describe.runIf(typeof (module as { enableCompileCache?: unknown }).enableCompileCache !== "function")(
  "SDK code cache",
  () => {
    const load = (cacheHome: string): { types: string; stats: Stats } =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            "--input-type=module",
            "-e",
            `const { sdk, codeCacheStats } = await import(${JSON.stringify(dist)}); const m = sdk.ec2();` +
              " console.log(JSON.stringify({ types: typeof m.EC2Client + ' ' + typeof m.paginateDescribeVpcs, stats: codeCacheStats }));",
          ],
          { env: { ...process.env, XDG_CACHE_HOME: cacheHome }, encoding: "utf8" },
        ),
      );
    const mtimes = (dir: string) =>
      Object.fromEntries(readdirSync(dir).map((e) => [e, statSync(path.join(dir, e)).mtimeMs]));

    it("writes entries on the first load, reads them on the next, and replaces corrupt ones", async () => {
      if (!existsSync(dist))
        throw new Error("dist/ is missing: run `npm run build` before the integration tests");
      const home = mkdtempSync(path.join(os.tmpdir(), "sdk-cache-"));
      const first = load(home);
      expect(first.types).toBe("function function");
      expect(first.stats.accepted).toBe(0);
      expect(first.stats.missing).toBeGreaterThan(3);

      const dir = path.join(home, "triton-ops", `v8-${process.version}`);
      const entries = readdirSync(dir);
      expect(entries.length).toBe(first.stats.missing);
      const written = mtimes(dir);
      await new Promise((r) => setTimeout(r, 20));

      const second = load(home);
      expect(second.types).toBe("function function");
      expect(second.stats).toEqual({ accepted: entries.length, missing: 0, rejected: 0 });
      expect(mtimes(dir)).toEqual(written);

      for (const entry of entries) writeFileSync(path.join(dir, entry), "not a code cache");
      const third = load(home);
      expect(third.types).toBe("function function");
      expect(third.stats).toEqual({ accepted: 0, missing: 0, rejected: entries.length });
      expect(load(home).stats).toEqual({ accepted: entries.length, missing: 0, rejected: 0 });
    });
  },
);

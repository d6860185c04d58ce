import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "aws", "sdk.js");

/** The SDK loader's code cache on Node 20: written once, used after, and harmless when corrupt. */
describe("SDK code cache", () => {
  const load = (cacheHome: string) =>
    execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { sdk } = await import(${JSON.stringify(dist)}); const m = sdk.ec2(); console.log(typeof m.EC2Client, typeof m.paginateDescribeVpcs);`,
      ],
      { env: { ...process.env, XDG_CACHE_HOME: cacheHome }, encoding: "utf8" },
    ).trim();

  it("fills the cache on the first load and loads the same module from it, even from corrupt entries", () => {
    if (!existsSync(dist))
      throw new Error("dist/ is missing: run `npm run build` before the integration tests");
    const home = mkdtempSync(path.join(os.tmpdir(), "sdk-cache-"));
    expect(load(home)).toBe("function function");
    const dir = path.join(home, "triton-ops", `v8-${process.version}`);
    const entries = readdirSync(dir);
    expect(entries.length).toBeGreaterThan(3);
    expect(load(home)).toBe("function function");
    for (const entry of entries) writeFileSync(path.join(dir, entry), "not a code cache");
    expect(load(home)).toBe("function function");
  });
});

import { mkdtempSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { spawnCli } from "./support/cli-process.js";

// The validated-config cache (src/config/cache.ts) as the built CLI uses it: bundle/ carries the build id
// that turns it on. `status --json` reads the config and prints its region without touching AWS.
describe("the config cache, through the built CLI", () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), "cfg-cache-e2e-"));
  const configFile = path.join(cwd, "triton-ops.yaml");
  const cacheFile = path.join(cwd, "xdg", "triton-ops", "config-v1.json");
  const baseEnv = { PATH: process.env.PATH, HOME: cwd, XDG_CACHE_HOME: path.join(cwd, "xdg"), CI: "true" };
  const run = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const cli = spawnCli(["status", "--json", ...args], { cwd, env: { ...baseEnv, ...env } });
    const code = await cli.exited;
    const { stdout, stderr } = cli.output();
    return {
      code,
      stderr,
      region: code === 0 ? (JSON.parse(stdout) as { region: string }).region : undefined,
    };
  };
  const setCachedRegion = async (region: string) => {
    const doc = JSON.parse(await readFile(cacheFile, "utf8"));
    doc.entries[configFile].config.region = region;
    await writeFile(cacheFile, JSON.stringify(doc));
  };

  it("answers an unchanged config from the cache and never a changed one", async () => {
    await writeFile(
      configFile,
      'name: acme\nenvironment: dev\nregion: eu-west-1\ncluster:\n  publicAccessCidrs: ["0.0.0.0/0"]\n',
    );
    const first = await run([]);
    expect(first).toMatchObject({ code: 0, region: "eu-west-1" });
    expect(first.stderr.match(/open to the internet/g)).toHaveLength(1);

    // A changed answer under the same key shows that the next run reads the cache (and its warning).
    await setCachedRegion("ap-south-1");
    const hit = await run([]);
    expect(hit).toMatchObject({ code: 0, region: "ap-south-1" });
    expect(hit.stderr.match(/open to the internet/g)).toHaveLength(1);
    expect((await run([], { TRITON_OPS_NO_COMPILE_CACHE: "1" })).region).toBe("eu-west-1");

    // Every input the config depends on is part of the key.
    expect((await run([], { TRITON_OPS_REGION: "ca-central-1" })).region).toBe("ca-central-1");
    expect((await run(["--region", "us-west-2"])).region).toBe("us-west-2");
    await writeFile(configFile, "name: acme\nenvironment: dev\nregion: eu-north-1\n");
    const edited = await run([]);
    expect(edited).toMatchObject({ code: 0, region: "eu-north-1" });
    expect(edited.stderr).not.toMatch(/open to the internet/);

    // A config made invalid after a good one is refused every time: one error line (and its advice), exit 2.
    await writeFile(configFile, "name: acme\nregion: moon-1\n");
    for (let i = 0; i < 2; i++) {
      const bad = await run([]);
      expect(bad.code).toBe(2);
      const [line, ...rest] = bad.stderr.trim().split("\n");
      expect(line).toMatch(/^Error: Invalid triton-ops\.yaml: region = "moon-1"/);
      expect(rest.join("\n")).not.toMatch(/\bat /);
    }
  });
});

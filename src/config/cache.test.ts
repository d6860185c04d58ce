import { existsSync } from "node:fs";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UserError } from "../errors.js";
import { type ConfigCacheLocation, configCacheLocation, writeCachedConfig } from "./cache.js";
import { loadConfig } from "./load.js";

const YAML = "name: acme\nenvironment: dev\nregion: eu-west-1\n";

async function project(yaml = YAML) {
  const cwd = await mkdtemp(path.join(os.tmpdir(), "cfg-cache-"));
  const file = path.join(cwd, "triton-ops.yaml");
  await writeFile(file, yaml);
  const cache: ConfigCacheLocation = { file: path.join(cwd, "cache", "config-v1.json"), build: "build-a" };
  return { cwd, file, cache };
}

interface Doc {
  entries: Record<string, { key: string; config: Record<string, unknown>; warnings: string[] }>;
}
const readDoc = async (cache: ConfigCacheLocation) => JSON.parse(await readFile(cache.file, "utf8")) as Doc;

/** Rewrites the stored answer (key kept): a load that returns the rewritten value was served from the cache. */
async function tamper(cache: ConfigCacheLocation, file: string, name: string) {
  const doc = await readDoc(cache);
  doc.entries[file]!.config.name = name;
  await writeFile(cache.file, JSON.stringify({ version: 1, build: cache.build, ...doc }));
}

describe("the validated-config cache", () => {
  afterEach(() => vi.useRealTimers());

  it("stores a fresh load and answers the next one with an equal config, warnings included", async () => {
    const { cwd, file, cache } = await project(`${YAML}cluster:\n  publicAccessCidrs: ["0.0.0.0/0"]\n`);
    const fresh = await loadConfig({ cwd, env: {}, cache });
    const doc = await readDoc(cache);
    expect(Object.keys(doc.entries)).toEqual([file]);
    await tamper(cache, file, "served-from-cache");
    const hit = await loadConfig({ cwd, env: {}, cache });
    expect(hit.config.name).toBe("served-from-cache");
    expect({ ...hit.config, name: "acme" }).toEqual(fresh.config);
    expect(hit.warnings).toEqual(fresh.warnings);
    expect(hit.warnings[0]).toMatch(/0\.0\.0\.0\/0/);
    expect(hit.file).toBe(file);
    expect(Object.isFrozen(hit.config.gpu)).toBe(true);
    expect((await stat(cache.file)).mode & 0o777).toBe(0o600);
  });

  it("validates again when the file, a TRITON_OPS_ variable, a flag, the build or the day differs", async () => {
    const { cwd, file, cache } = await project();
    await loadConfig({ cwd, env: {}, cache });
    await tamper(cache, file, "stale");
    // Each of these must not be answered by the tampered entry.
    expect((await loadConfig({ cwd, env: { TRITON_OPS_REGION: "us-west-2" }, cache })).config.name).toBe(
      "acme",
    );
    await tamper(cache, file, "stale");
    expect((await loadConfig({ cwd, env: {}, overrides: { environment: "qa" }, cache })).config.name).toBe(
      "acme",
    );
    await tamper(cache, file, "stale");
    expect((await loadConfig({ cwd, env: {}, cache: { ...cache, build: "build-b" } })).config.name).toBe(
      "acme",
    );
    await loadConfig({ cwd, env: {}, cache });
    await tamper(cache, file, "stale");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(Date.now() + 86_400_000));
    expect((await loadConfig({ cwd, env: {}, cache })).config.name).toBe("acme");
    vi.useRealTimers();
    await loadConfig({ cwd, env: {}, cache });
    await tamper(cache, file, "stale");
    await writeFile(file, YAML.replace("eu-west-1", "eu-central-1"));
    const edited = await loadConfig({ cwd, env: {}, cache });
    expect(edited.config.name).toBe("acme");
    expect(edited.config.region).toBe("eu-central-1");
  });

  it("never caches a failed load, so the error is found every time", async () => {
    const { cwd, file, cache } = await project();
    await loadConfig({ cwd, env: {}, cache });
    await writeFile(file, "network:\n  vpcCidr: 10.0.0.1/16\n");
    for (let i = 0; i < 2; i++) {
      const error = await loadConfig({ cwd, env: {}, cache }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toMatch(/network\.vpcCidr/);
    }
    await writeFile(file, "name: [unclosed\n");
    const yamlError = await loadConfig({ cwd, env: {}, cache }).catch((e: unknown) => e);
    expect((yamlError as UserError).code).toBe("config.yaml");
    const doc = await readDoc(cache);
    expect(doc.entries[file]!.key).toContain("eu-west-1");
  });

  it("treats a corrupt or foreign cache file as empty and replaces it", async () => {
    const { cwd, file, cache } = await project();
    await loadConfig({ cwd, env: {}, cache });
    await writeFile(cache.file, "{ not json");
    expect((await loadConfig({ cwd, env: {}, cache })).config.name).toBe("acme");
    expect(Object.keys((await readDoc(cache)).entries)).toEqual([file]);
    await writeFile(cache.file, JSON.stringify({ version: 99, build: cache.build, entries: {} }));
    expect((await loadConfig({ cwd, env: {}, cache })).config.region).toBe("eu-west-1");
  });

  it("does not store what a JSON round trip would change", async () => {
    const { cache } = await project();
    await writeCachedConfig(cache, "/x/triton-ops.yaml", "k", { config: { a: undefined }, warnings: [] });
    expect(existsSync(cache.file)).toBe(false);
    await writeCachedConfig(cache, "/x/triton-ops.yaml", "k", { config: { a: 1 }, warnings: [] });
    expect(existsSync(cache.file)).toBe(true);
  });

  it("keeps the 32 most recent configs", async () => {
    const { cache } = await project();
    for (let i = 0; i < 40; i++) {
      await writeCachedConfig(cache, `/p${i}/triton-ops.yaml`, "k", { config: { i }, warnings: [] });
    }
    const ids = Object.keys((await readDoc(cache)).entries);
    expect(ids).toHaveLength(32);
    expect(ids[0]).toBe("/p8/triton-ops.yaml");
    expect(ids.at(-1)).toBe("/p39/triton-ops.yaml");
  });

  it("is off outside the bundle (no build id), so src/ and dist/ always validate", () => {
    expect(configCacheLocation({ HOME: "/home/u" })).toBeUndefined();
  });
});

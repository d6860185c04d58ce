/**
 * The validated-config cache: what loadConfig answered for the same inputs, so that a command whose config
 * has not changed skips yaml and zod (about 50 to 75 ms of Node 20's start-up, measured in bench/models.mjs
 * and bench/orphan-scan.mjs).
 *
 * An entry is used only when every input is the same: the build (the bundle's id, so a new schema is never
 * answered from an old one), the UTC day (one default, kubernetesVersion, depends on it), the config file's
 * path and exact text (or its absence), the TRITON_OPS_* variables the config reads, and the flags. Nothing
 * else reaches the schema. A failed load is never cached, so every error is found again. Only a config that
 * survives a JSON round trip unchanged is stored. A missing, unreadable or foreign cache file is an empty
 * cache, and a failed write costs the next command a miss, nothing more.
 *
 * It lives beside the compile cache (~/.cache/triton-ops/, or $XDG_CACHE_HOME), readable by its owner only,
 * and holds no secret: the config file holds none, and the secrets the product reads from the environment
 * (TRITON_OPS_SLACK_WEBHOOK_URL, AWS credentials) are not among its inputs. TRITON_OPS_NO_COMPILE_CACHE=1
 * turns it off with the compile cache. Outside the bundle (tests running src/, dist/) there is no build id
 * and no cache, unless a caller passes a location.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { writeFileAtomic } from "../fs-util.js";
import { cacheRoot } from "../paths.js";

/** Defined by scripts/bundle.mjs: a digest of dist/ and package-lock.json. */
declare const __TRITON_OPS_BUILD__: string | undefined;

const VERSION = 1;
/** Configs remembered at once (one per project directory used); the oldest entry goes first. */
const MAX_ENTRIES = 32;

export interface ConfigCacheLocation {
  file: string;
  build: string;
}

export interface CachedConfig {
  config: unknown;
  warnings: string[];
}

interface Entry extends CachedConfig {
  key: string;
}

interface CacheDocument {
  version: number;
  build: string;
  entries: Record<string, Entry>;
}

/** Where this build keeps its cache, or undefined when it keeps none. */
export function configCacheLocation(env: NodeJS.ProcessEnv): ConfigCacheLocation | undefined {
  const build = typeof __TRITON_OPS_BUILD__ === "string" ? __TRITON_OPS_BUILD__ : undefined;
  const root = cacheRoot(env);
  if (!build || !root || env.TRITON_OPS_NO_COMPILE_CACHE) return undefined;
  return { file: path.join(root, "config-v1.json"), build };
}

async function readDocument(location: ConfigCacheLocation): Promise<CacheDocument | undefined> {
  try {
    const doc = JSON.parse(await readFile(location.file, "utf8")) as CacheDocument;
    if (doc?.version !== VERSION || doc.build !== location.build) return undefined;
    if (typeof doc.entries !== "object" || doc.entries === null) return undefined;
    return doc;
  } catch {
    return undefined;
  }
}

/** The answer stored for `id` (the config file's path) when it was computed from exactly `key`. */
export async function readCachedConfig(
  location: ConfigCacheLocation,
  id: string,
  key: string,
): Promise<CachedConfig | undefined> {
  const entry = (await readDocument(location))?.entries[id];
  if (!entry || entry.key !== key || !Array.isArray(entry.warnings)) return undefined;
  if (typeof entry.config !== "object" || entry.config === null) return undefined;
  return { config: entry.config, warnings: entry.warnings };
}

/** Stores the answer for `id` and `key`; never throws. */
export async function writeCachedConfig(
  location: ConfigCacheLocation,
  id: string,
  key: string,
  value: CachedConfig,
): Promise<void> {
  const stored = JSON.parse(JSON.stringify(value)) as CachedConfig;
  // A value JSON would change (an undefined field, a Date) is not stored: a hit must equal a fresh load.
  if (!isDeepStrictEqual(stored, value)) return;
  try {
    const doc = (await readDocument(location)) ?? { version: VERSION, build: location.build, entries: {} };
    delete doc.entries[id];
    doc.entries[id] = { key, ...stored };
    const ids = Object.keys(doc.entries);
    for (const old of ids.slice(0, Math.max(0, ids.length - MAX_ENTRIES))) delete doc.entries[old];
    await writeFileAtomic(location.file, JSON.stringify(doc), { secret: true, dirMode: 0o700 });
  } catch {
    // A read-only or full disk: the next command validates again.
  }
}

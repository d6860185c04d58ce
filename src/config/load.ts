import { readFile } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../errors.js";
import {
  type ConfigCacheLocation,
  configCacheLocation,
  readCachedConfig,
  writeCachedConfig,
} from "./cache.js";
import { isPlain, type Plain } from "./plain.js";
import type { Config } from "./schema.js";

export const DEFAULT_CONFIG_FILE = "triton-ops.yaml";

/** Values given on the command line; they win over everything else. */
export interface ConfigOverrides {
  region?: string;
  environment?: string;
  sandbox?: boolean;
  workDir?: string;
}

export interface LoadConfigOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** --config; when given the file must exist. */
  file?: string;
  overrides?: ConfigOverrides;
}

export interface LoadedConfig {
  config: Readonly<Config>;
  warnings: string[];
  /** Absolute path of the file read, or undefined when none exists. */
  file: string | undefined;
  /** Directory relative paths in the config are resolved against. */
  baseDir: string;
}

function deepMerge(base: Plain, top: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = isPlain(current) && isPlain(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function setPath(target: Plain, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlain(node[key])) node[key] = {};
    node = node[key] as Plain;
  }
  node[keys[keys.length - 1]!] = value;
}

/** Environment variables that configure the project (the AWS ones are read by the SDK itself). */
const ENV_KEYS: Record<string, { key: string; type: "string" | "boolean" }> = {
  TRITON_OPS_NAME: { key: "name", type: "string" },
  TRITON_OPS_ENVIRONMENT: { key: "environment", type: "string" },
  TRITON_OPS_REGION: { key: "region", type: "string" },
  TRITON_OPS_SANDBOX: { key: "sandbox", type: "boolean" },
  TRITON_OPS_WORK_DIR: { key: "workDir", type: "string" },
  TRITON_OPS_TERRAFORM: { key: "terraform.binary", type: "string" },
  TRITON_OPS_PROVIDER_MIRROR: { key: "terraform.providerMirror", type: "string" },
  // The deploy workflow renders manifests for the image it just pushed (tag = commit SHA).
  TRITON_OPS_IMAGE_TAG: { key: "triton.imageTag", type: "string" },
};

function fromEnvironment(env: NodeJS.ProcessEnv): Plain {
  const out: Plain = {};
  for (const [name, { key, type }] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    if (type === "boolean") {
      if (!/^(1|0|true|false|yes|no)$/i.test(raw)) {
        throw new UserError(`${name}="${raw}" is not a boolean (use true or false).`, { code: "config.env" });
      }
      setPath(out, key, /^(1|true|yes)$/i.test(raw));
    } else {
      setPath(out, key, raw);
    }
  }
  return out;
}

/** The config file's text, or undefined when there is none and none was asked for. */
async function readConfigText(file: string, required: boolean): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !required) return undefined;
    throw new UserError(`Cannot read config file ${file}: ${(error as Error).message}`, {
      code: "config.unreadable",
      suggestion: "Run `triton-ops init` to create one, or pass --config PATH.",
    });
  }
}

export interface LoadConfigCacheOption {
  /** Where validated configs are remembered; default: configCacheLocation(env), none outside the bundle. */
  cache?: ConfigCacheLocation | null;
}

export async function loadConfig(options: LoadConfigOptions & LoadConfigCacheOption): Promise<LoadedConfig> {
  const explicit = options.file ?? options.env.TRITON_OPS_CONFIG;
  const file = path.resolve(options.cwd, explicit ?? DEFAULT_CONFIG_FILE);
  const text = await readConfigText(file, explicit !== undefined);
  const fromEnv = fromEnvironment(options.env);
  const overrides = (options.overrides ?? {}) as Plain;
  const cache = options.cache === undefined ? configCacheLocation(options.env) : options.cache;
  // Everything the answer depends on (cache.ts); the day because kubernetesVersion's default does.
  const key = JSON.stringify([new Date().toISOString().slice(0, 10), text ?? null, fromEnv, overrides]);
  let answer = cache ? await readCachedConfig(cache, file, key) : undefined;
  if (!answer) {
    const { parseConfigText, validateConfig } = await import("./validate.js");
    const fromFile = text === undefined ? undefined : parseConfigText(file, text);
    const merged = deepMerge(deepMerge(fromFile ?? {}, fromEnv), overrides);
    const source = fromFile ? path.relative(options.cwd, file) || file : "configuration";
    answer = validateConfig(merged, source);
    if (cache) await writeCachedConfig(cache, file, key, answer);
  }
  return {
    config: deepFreeze(answer.config as Config),
    warnings: answer.warnings,
    file: text === undefined ? undefined : file,
    baseDir: text === undefined ? options.cwd : path.dirname(file),
  };
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

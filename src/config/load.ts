import { readFile } from "node:fs/promises";
import path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { UserError } from "../errors.js";
import { type Config, configSchema } from "./schema.js";

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

type Plain = Record<string, unknown>;

function isPlain(value: unknown): value is Plain {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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

async function readConfigFile(file: string, required: boolean): Promise<Plain | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !required) return undefined;
    throw new UserError(`Cannot read config file ${file}: ${(error as Error).message}`, {
      code: "config.unreadable",
      suggestion: "Run `triton-ops init` to create one, or pass --config PATH.",
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = lineCounter.linePos(first.pos[0]);
    const where = ` (line ${pos.line}, column ${pos.col})`;
    throw new UserError(`${file} is not valid YAML${where}: ${first.message.split("\n")[0]}`, {
      code: "config.yaml",
    });
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (!isPlain(value)) {
    throw new UserError(
      `${file} must hold a mapping of settings, not ${Array.isArray(value) ? "a list" : typeof value}.`,
      {
        code: "config.shape",
      },
    );
  }
  return value;
}

function valueAt(input: unknown, keys: PropertyKey[]): unknown {
  let node = input;
  for (const key of keys) {
    if (!isPlain(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** One line naming the field, the value and the rule. */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length > 0 ? ` in ${issue.path.join(".")}` : "";
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}${where}`;
  }
  const field = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
  const value = valueAt(input, issue.path);
  const shown = value === undefined ? "" : ` = ${JSON.stringify(value)}`;
  return `${field}${shown}: ${issue.message}`;
}

export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const explicit = options.file ?? options.env.TRITON_OPS_CONFIG;
  const file = path.resolve(options.cwd, explicit ?? DEFAULT_CONFIG_FILE);
  const fromFile = await readConfigFile(file, explicit !== undefined);
  const merged = deepMerge(
    deepMerge(fromFile ?? {}, fromEnvironment(options.env)),
    (options.overrides ?? {}) as Plain,
  );
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const source = fromFile ? path.relative(options.cwd, file) || file : "configuration";
    const lines = parsed.error.issues.map((issue) => describeIssue(issue, merged));
    throw new UserError(
      `Invalid ${source}: ${lines[0]}${lines.length > 1 ? ` (and ${lines.length - 1} more: ${lines.slice(1).join("; ")})` : ""}`,
      {
        code: "config.invalid",
        suggestion: "Fix the value in the file, the TRITON_OPS_* variable or the flag.",
      },
    );
  }
  const config = parsed.data;
  const warnings: string[] = [];
  if (config.cluster.publicAccessCidrs.includes("0.0.0.0/0")) {
    warnings.push(
      "cluster.publicAccessCidrs allows 0.0.0.0/0: the Kubernetes API endpoint is open to the internet.",
    );
  }
  if (config.environment.includes("prod") && config.sandbox) {
    warnings.push(`environment "${config.environment}" runs on the sandbox emulator, not AWS.`);
  }
  return {
    config: deepFreeze(config),
    warnings,
    file: fromFile ? file : undefined,
    baseDir: fromFile ? path.dirname(file) : options.cwd,
  };
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

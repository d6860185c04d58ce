import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { UserError } from "../errors.js";
import { isPlain, type Plain } from "./plain.js";
import { type Config, configSchema } from "./schema.js";

// The part of loading a config that needs yaml and zod (about 50 to 75 ms of Node 20's start-up together).
// load.ts imports it only when the config cache (cache.ts) has no answer for the same inputs.

/** The settings in a config file's text; a YAML error names its line and column. */
export function parseConfigText(file: string, text: string): Plain {
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

/** The merged settings checked against the schema, defaults filled in; `source` names them in an error. */
export function validateConfig(merged: Plain, source: string): { config: Config; warnings: string[] } {
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
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
  return { config, warnings };
}

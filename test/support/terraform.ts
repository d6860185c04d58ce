import { readdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The offline provider mirror for tests: TRITON_OPS_PROVIDER_MIRROR when set (as .ci/run does),
 * otherwise the first directory holding registry.terraform.io/hashicorp/aws under the usual roots.
 */
export function providerMirror(): string {
  const fromEnv = process.env.TRITON_OPS_PROVIDER_MIRROR;
  if (fromEnv) return fromEnv;
  const roots = [
    "/opt",
    "/usr/local/share",
    "/usr/share",
    path.join(os.homedir(), ".terraform.d"),
    "/usr/local/lib",
  ];
  for (const root of roots) {
    const found = search(root, 3);
    if (found) return found;
  }
  throw new Error(
    "No offline hashicorp/aws provider mirror found; set TRITON_OPS_PROVIDER_MIRROR (see .ci/run).",
  );
}

function search(dir: string, depth: number): string | undefined {
  try {
    if (statSync(path.join(dir, "registry.terraform.io", "hashicorp", "aws")).isDirectory()) return dir;
  } catch {
    // not here
  }
  if (depth === 0) return undefined;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry);
    try {
      if (!statSync(full).isDirectory()) continue;
    } catch {
      continue;
    }
    const found = search(full, depth - 1);
    if (found) return found;
  }
  return undefined;
}

import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The installed package's root (holds terraform/ and templates/), from src/ and dist/ alike. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const TERRAFORM_ROOT = path.join(PACKAGE_ROOT, "terraform");
export const TEMPLATES_ROOT = path.join(PACKAGE_ROOT, "templates");

/** The user's cache directory for triton-ops ($XDG_CACHE_HOME, else ~/.cache), or undefined without a home. */
export function cacheRoot(env: NodeJS.ProcessEnv): string | undefined {
  const home = env.HOME || os.homedir();
  const base = env.XDG_CACHE_HOME || (home ? path.join(home, ".cache") : undefined);
  return base ? path.join(base, "triton-ops") : undefined;
}

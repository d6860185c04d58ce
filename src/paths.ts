import path from "node:path";
import { fileURLToPath } from "node:url";

/** The installed package's root (holds terraform/ and templates/), from src/ and dist/ alike. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const TERRAFORM_ROOT = path.join(PACKAGE_ROOT, "terraform");
export const TEMPLATES_ROOT = path.join(PACKAGE_ROOT, "templates");

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
/** Read from package.json so `--version` never drifts from the published package. */
export const VERSION: string = (require("../package.json") as { version: string }).version;

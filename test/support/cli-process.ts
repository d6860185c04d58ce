import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "triton-ops.js");

export interface CliProcess {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** The built CLI as a real process (for signals); needs `npm run build` first, as `npm test` does. */
export function spawnCli(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): CliProcess {
  if (!existsSync(path.resolve(path.dirname(BIN), "..", "bundle", "cli.js"))) {
    throw new Error("bundle/ is missing: run `npm run build` before the integration tests");
  }
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, output: () => ({ stdout, stderr }), exited };
}

/** Polls until a file contains the text. */
export async function waitForText(file: string, text: string | RegExp, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const content = readFileSync(file, "utf8");
      if (typeof text === "string" ? content.includes(text) : text.test(content)) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${String(text)} in ${file}`);
}

import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli-process.js";

/**
 * A reader that stops early (`triton-ops ... --json | head`) closes the pipe under the CLI's stdout. The
 * built CLI, as a real process whose stdout pipe has no reader from the start: the command still runs to
 * its own exit code, and no unhandled EPIPE stack trace is printed.
 */
describe("stdout closed by its reader", () => {
  let cwd: string;
  let good: string;
  let bad: string;

  const model = async (root: string, dir: string, name: string) => {
    await mkdir(path.join(root, dir, "1"), { recursive: true });
    await writeFile(
      path.join(root, dir, "config.pbtxt"),
      `name: "${name}"\nbackend: "python"\nmax_batch_size: 0\n` +
        'input [ { name: "I" data_type: TYPE_FP32 dims: [ 1 ] } ]\n' +
        'output [ { name: "O" data_type: TYPE_FP32 dims: [ 1 ] } ]\n',
    );
    await writeFile(path.join(root, dir, "1", "model.py"), "# model\n");
  };

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(os.tmpdir(), "closed-pipe-"));
    good = path.join(cwd, "good");
    bad = path.join(cwd, "bad");
    await model(good, "m", "m");
    await model(bad, "m", "other"); // basics.name-mismatch: lint exits 1
  });

  const runClosed = async (args: string[]) => {
    const run = spawnCli(args, { cwd, env: { ...process.env, CI: "true" } });
    run.child.stdout?.destroy();
    const code = await run.exited;
    return { code, stderr: run.output().stderr };
  };

  it.each([
    { args: ["--help"], code: 0 },
    { args: ["models", "lint", "good", "--json"], code: 0 },
    { args: ["models", "lint", "bad", "--json"], code: 1 },
  ])("$args exits $code with no stack trace", async ({ args, code }) => {
    const result = await runClosed(args);
    expect(result.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(result.code, result.stderr).toBe(code);
  });
});

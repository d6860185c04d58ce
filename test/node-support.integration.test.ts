import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { endOfLifeMessage } from "../src/node-support.js";
import { spawnCli } from "./support/cli-process.js";

// Through the real bin, on whichever Node runs the tests (CI runs them on 20 and on the active LTS).
describe("the end-of-life notice of the running Node", () => {
  const expected = endOfLifeMessage(process.versions.node, new Date());
  const run = async (args: string[], env: NodeJS.ProcessEnv) => {
    const cli = spawnCli(args, { cwd: os.tmpdir(), env });
    const code = await cli.exited;
    return { code, ...cli.output() };
  };

  it("shows at most once a day, never with --json or in CI, and replaces the SDK's own warning", async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), "node-notice-"));
    const env = { PATH: process.env.PATH, HOME: cache, XDG_CACHE_HOME: cache };
    const json = await run(["--version", "--json"], env);
    const ci = await run(["--version"], { ...env, CI: "true" });
    // A command that builds an AWS SDK client, which is where the SDK emits its own Node warning.
    const sdkEnv = {
      ...env,
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_ACCESS_KEY_ID: "a",
      AWS_SECRET_ACCESS_KEY: "b",
    };
    const first = await run(
      ["verify", "--only", "aws.identity", "--region", "us-east-1", "--timeout", "2"],
      sdkEnv,
    );
    const second = await run(["--version"], env);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/aws\.identity/);
    for (const r of [json, ci, first, second]) {
      expect(r.stderr).not.toMatch(/NodeVersionSupportWarning/);
    }
    expect(json.stderr).toBe("");
    expect(ci.stderr).toBe("");
    expect(first.stderr.split("\n").filter((l) => l.includes("end of life"))).toEqual(
      expected ? [expected] : [],
    );
    expect(second.code).toBe(0);
    expect(second.stderr).toBe("");
  });
});

import { existsSync, mkdtempSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli-process.js";

// The SDK loader's memo of module paths (src/aws/sdk.ts, withRememberedPaths), as the built CLI uses it:
// bundle/ carries the build id that turns it on. `token` loads the STS client and signs offline.
describe("the SDK path memo, through the built CLI", () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), "sdk-paths-"));
  const memoFile = path.join(cwd, "xdg", "triton-ops", `sdk-paths-${process.version}.json`);
  const env = {
    PATH: process.env.PATH,
    HOME: cwd,
    XDG_CACHE_HOME: path.join(cwd, "xdg"),
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "example-secret",
  };
  const token = async (extra: NodeJS.ProcessEnv = {}) => {
    const cli = spawnCli(["token", "--cluster", "demo", "--region", "us-east-1"], {
      cwd,
      env: { ...env, ...extra },
    });
    const code = await cli.exited;
    const { stdout, stderr } = cli.output();
    expect(stderr).not.toMatch(/at .+:\d+:\d+/);
    return { code, kind: code === 0 ? (JSON.parse(stdout) as { kind: string }).kind : stderr };
  };
  const readMemo = async () =>
    JSON.parse(await readFile(memoFile, "utf8")) as { build: string; paths: Record<string, string> };

  it("writes what Node resolved, answers from it next time, and resolves again what has gone", async () => {
    expect(await token()).toEqual({ code: 0, kind: "ExecCredential" });
    const first = await readMemo();
    const entries = Object.entries(first.paths);
    expect(entries.length).toBeGreaterThan(20);
    for (const [key, file] of entries) {
      expect(key).toContain("\0");
      expect(existsSync(file)).toBe(true);
    }

    // A leaf module moved elsewhere in the memo, with a line that leaves a mark: the next run loads the
    // copy, so it took the path from the memo and not from Node.
    const leaf = entries.find(([key]) => key.endsWith("\0@aws/lambda-invoke-store"));
    if (!leaf) throw new Error("the STS client no longer loads @aws/lambda-invoke-store: pick another leaf");
    const copy = path.join(cwd, "copy-of-invoke-store.js");
    const mark = path.join(cwd, "copy-was-loaded");
    await writeFile(
      copy,
      `require("node:fs").writeFileSync(${JSON.stringify(mark)}, "");\n${await readFile(leaf[1], "utf8")}`,
    );
    const steered = Object.fromEntries(entries.map(([k, v]) => [k, v === leaf[1] ? copy : v]));
    await writeFile(memoFile, JSON.stringify({ ...first, paths: steered }));
    expect(await token()).toEqual({ code: 0, kind: "ExecCredential" });
    expect(existsSync(mark)).toBe(true);

    // A path that no longer exists is resolved again, and the memo corrected.
    const gone = Object.fromEntries(
      entries.map(([k, v]) => [k, v === leaf[1] ? path.join(cwd, "gone.js") : v]),
    );
    await writeFile(memoFile, JSON.stringify({ ...first, paths: gone }));
    expect(await token()).toEqual({ code: 0, kind: "ExecCredential" });
    expect((await readMemo()).paths[leaf[0]]).toBe(leaf[1]);

    // Another build's memo is not read, and TRITON_OPS_NO_COMPILE_CACHE keeps none.
    await writeFile(memoFile, JSON.stringify({ ...first, build: "another build", paths: steered }));
    await rm(mark);
    expect(await token()).toEqual({ code: 0, kind: "ExecCredential" });
    expect(existsSync(mark)).toBe(false);
    expect((await readMemo()).build).toBe(first.build);
    await rm(memoFile);
    expect(await token({ TRITON_OPS_NO_COMPILE_CACHE: "1" })).toEqual({ code: 0, kind: "ExecCredential" });
    expect(existsSync(memoFile)).toBe(false);
  });
});

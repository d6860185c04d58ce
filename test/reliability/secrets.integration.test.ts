import { mkdtemp, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { filesUnder } from "../support/files.js";
import { type Moto, startTestMoto } from "../support/moto.js";
import { runCli } from "../support/run-cli.js";
import { providerMirror } from "../support/terraform.js";

/**
 * Secrets never printed or logged: a run against AWS (the emulator standing in, with credentials that
 * look real) with --verbose, then every byte it printed and every file it wrote is searched for them.
 */
describe("secrets stay out of output and logs", () => {
  let moto: Moto;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETzz";
  const sessionToken = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENzzQ0123456789abcdefSECRET";
  const printed: string[] = [];

  beforeAll(async () => {
    moto = await startTestMoto();
    cwd = await mkdtemp(path.join(os.tmpdir(), "secrets-"));
    env = {
      ...moto.env,
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: secretKey,
      AWS_SESSION_TOKEN: sessionToken,
      TRITON_OPS_PROVIDER_MIRROR: providerMirror(),
    };
    const init = await runCli("init --yes --name sec --env test", { cwd, env });
    expect(init.code, init.stderr).toBe(0);
  });

  afterAll(async () => {
    await moto?.stop();
  });

  const run = async (args: string) => {
    const result = await runCli(args, { cwd, env });
    printed.push(result.stdout, result.stderr);
    return result;
  };

  it("an up, status, plan and down with --verbose print and log no credential", async () => {
    expect((await run("up --stage iam --yes --skip-preflight --verbose")).code).toBe(0);
    expect((await run("status --json --verbose")).code).toBe(0);
    expect((await run("plan --stage iam --verbose")).code).toBe(0);
    // A refused run with --verbose prints its error and hint (and debug lines): no credential in them either.
    const refused = await run("up --stage eks --yes --verbose");
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain("Error: Stage eks needs vpc and ecr, which are not applied.");
    expect(refused.stderr).toContain("Run `triton-ops up --stage vpc,ecr` first, or --stage all.");
    expect((await run("down --stage iam --yes --verbose")).code).toBe(0);

    const files = await filesUnder(path.join(cwd, ".triton-ops"));
    expect(files.some((f) => f.endsWith("iam-apply.log"))).toBe(true);
    const written = await Promise.all(files.map(async (f) => [f, await readFile(f, "utf8")] as const));
    for (const secret of [secretKey, sessionToken]) {
      for (const text of printed) expect(text.includes(secret)).toBe(false);
      for (const [file, text] of written) expect(text.includes(secret), file).toBe(false);
    }
  });
});

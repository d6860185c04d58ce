import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sourceFingerprint } from "./workspace.js";

describe("sourceFingerprint", () => {
  it("changes with the configuration and the backend, not with what a run writes", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "fp-"));
    await writeFile(path.join(dir, "main.tf"), 'resource "aws_vpc" "this" {}\n');
    await writeFile(path.join(dir, "backend.tf.json"), '{"terraform":{"backend":{"local":{}}}}\n');
    await mkdir(path.join(dir, "templates"));
    await writeFile(path.join(dir, "templates", "userdata.yaml"), "a: 1\n");
    const first = await sourceFingerprint(dir);

    // Every run rewrites these: init must not run again for them.
    await writeFile(path.join(dir, "tfplan"), `plan ${Date.now()}`);
    await writeFile(path.join(dir, "terraform.tfvars.json"), '{"az_count": 3}\n');
    expect(await sourceFingerprint(dir)).toBe(first);

    await writeFile(path.join(dir, "backend.tf.json"), '{"terraform":{"backend":{"s3":{}}}}\n');
    const s3 = await sourceFingerprint(dir);
    expect(s3).not.toBe(first);
    await writeFile(path.join(dir, "templates", "userdata.yaml"), "a: 2\n");
    expect(await sourceFingerprint(dir)).not.toBe(s3);
  });
});

describe("prepareStack without a mirror", () => {
  it("re-inits an initialised stack from its lock file and installed providers, never the registry", async () => {
    const { providerMirror } = await import("../../test/support/terraform.js");
    const { createTerraformRunner, prepareStack, stackDir } = await import("./workspace.js");
    const workRoot = await mkdtemp(path.join(os.tmpdir(), "reuse-"));
    const envDir = path.join(workRoot, "dev");
    const dir = stackDir(envDir, "vpc");
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, "versions.tf"),
      'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n  }\n}\n',
    );
    const runtime = (providerMirror: string | undefined) =>
      ({
        envDir,
        workRoot,
        // The machine's own CLI config points at a file that does not exist: no mirror but ours.
        env: { ...process.env, TF_CLI_CONFIG_FILE: path.join(workRoot, "none.rc") },
        ctx: {},
        io: { debug() {}, warn() {} },
        config: { terraform: providerMirror ? { providerMirror } : {}, state: { backend: "local" } },
      }) as unknown as Parameters<typeof createTerraformRunner>[0];
    const withMirror = runtime(providerMirror());
    expect((await prepareStack(withMirror, await createTerraformRunner(withMirror), "vpc")).initialized).toBe(
      true,
    );

    // A new shell without the mirror: the CLI config differs, so init runs again, offline.
    const bare = runtime(undefined);
    expect((await prepareStack(bare, await createTerraformRunner(bare), "vpc")).initialized).toBe(true);
    const log = await readFile(path.join(envDir, "logs", "vpc-init.log"), "utf8");
    expect(log).toContain(`-plugin-dir=${path.join(dir, ".terraform", "providers")}`);

    // Without the installed providers there is nothing to reuse: the registry is asked, and cannot answer.
    await rm(path.join(dir, ".terraform"), { recursive: true });
    await expect(prepareStack(bare, await createTerraformRunner(bare), "vpc")).rejects.toMatchObject({
      code: "terraform.provider-unavailable",
    });
  }, 120_000);
});

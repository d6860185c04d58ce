import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
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

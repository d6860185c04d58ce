import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { loadConfig } from "./load.js";

async function dirWith(yaml?: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "cfg-"));
  if (yaml !== undefined) await writeFile(path.join(dir, "triton-ops.yaml"), yaml);
  return dir;
}

async function failure(yaml: string, env: NodeJS.ProcessEnv = {}): Promise<UserError> {
  const cwd = await dirWith(yaml);
  const error = await loadConfig({ cwd, env }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe("loadConfig", () => {
  it("gives defaults without a file", async () => {
    const { config, file } = await loadConfig({ cwd: await dirWith(), env: {} });
    expect(file).toBeUndefined();
    expect(config.name).toBe("triton");
    expect(config.gpu.instanceTypes).toEqual(["g5.xlarge"]);
    expect(config.state).toEqual({ backend: "local" });
    expect(Object.isFrozen(config.gpu)).toBe(true);
  });

  it("layers defaults < file < environment < flags", async () => {
    const cwd = await dirWith("name: acme\nregion: eu-west-1\nenvironment: staging\ngpu:\n  maxSize: 4\n");
    const { config } = await loadConfig({
      cwd,
      env: { TRITON_OPS_REGION: "us-west-2", TRITON_OPS_ENVIRONMENT: "qa" },
      overrides: { environment: "prod" },
    });
    expect(config.name).toBe("acme");
    expect(config.region).toBe("us-west-2");
    expect(config.environment).toBe("prod");
    expect(config.gpu.maxSize).toBe(4);
    expect(config.gpu.minSize).toBe(1);
  });

  it("takes the image tag from TRITON_OPS_IMAGE_TAG (to render for the commit just pushed)", async () => {
    const cwd = await dirWith("triton:\n  imageTag: latest\n");
    const sha = "3f2c1a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39";
    const { config } = await loadConfig({ cwd, env: { TRITON_OPS_IMAGE_TAG: sha } });
    expect(config.triton.imageTag).toBe(sha);
    const error = await failure("", { TRITON_OPS_IMAGE_TAG: "not a tag" });
    expect(error.message).toContain("triton.imageTag");
  });

  it("names the field, the value and the rule", async () => {
    const error = await failure("network:\n  vpcCidr: 10.0.0.1/16\n");
    expect(error.message).toBe(
      'Invalid triton-ops.yaml: network.vpcCidr = "10.0.0.1/16": must be an IPv4 CIDR such as 10.0.0.0/16',
    );
    expect(error.exitCode).toBe(2);
  });

  it("refuses an AZ count out of range with one line, not a crash in the subnet layout", async () => {
    const error = await failure("network:\n  azCount: 9\n");
    expect(error.message).toBe(
      "Invalid triton-ops.yaml: network.azCount = 9: Too big: expected number to be <=6",
    );
  });

  it("rejects unknown keys", async () => {
    const error = await failure("name: acme\ngpus:\n  maxSize: 3\n");
    expect(error.message).toContain('unknown key "gpus"');
  });

  it("rejects min > desired", async () => {
    const error = await failure("gpu:\n  minSize: 3\n  desiredSize: 2\n  maxSize: 4\n");
    expect(error.message).toContain("gpu.desiredSize");
    expect(error.message).toContain("minSize <= desiredSize <= maxSize");
  });

  it("rejects malformed YAML with its position", async () => {
    const error = await failure("name: [acme\n");
    expect(error.message).toMatch(/not valid YAML \(line \d+, column \d+\)/);
  });

  it("rejects names that make IAM role names too long", async () => {
    const error = await failure("name: abcdefghijklmnopqrs\nenvironment: production1\n");
    expect(error.message).toMatch(/environment|name/);
  });

  it("rejects a non-boolean TRITON_OPS_SANDBOX", async () => {
    const cwd = await dirWith();
    await expect(loadConfig({ cwd, env: { TRITON_OPS_SANDBOX: "maybe" } })).rejects.toThrow(/not a boolean/);
  });

  it("warns when the API endpoint is open to the internet", async () => {
    const { warnings } = await loadConfig({
      cwd: await dirWith("cluster:\n  publicAccessCidrs: [0.0.0.0/0]\n"),
      env: {},
    });
    expect(warnings[0]).toMatch(/open to the internet/);
  });

  it("requires an explicit --config file to exist", async () => {
    await expect(loadConfig({ cwd: await dirWith(), env: {}, file: "nope.yaml" })).rejects.toThrow(
      /Cannot read/,
    );
  });
});

import { readFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { FAKE_DIGEST, type FakeDocker, fakeDocker } from "../../test/support/fake-docker.js";
import { UserError } from "../errors.js";
import { createDockerCli } from "./docker.js";

const PASSWORD = "ecr-password-that-must-never-reach-argv-0123456789";

describe("createDockerCli", () => {
  let withEngine: FakeDocker;

  beforeAll(async () => {
    withEngine = await fakeDocker(true);
  });

  it("hands the registry password over stdin, never on the command line", async () => {
    const docker = createDockerCli(process.env, withEngine.binary);
    await docker.login("123456789012.dkr.ecr.us-east-1.amazonaws.com", "AWS", PASSWORD);
    const calls = await readFile(withEngine.log, "utf8");
    const argv = calls.split("\n").filter((l) => l.startsWith("ARGV login"));
    expect(argv).toEqual([
      "ARGV login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com",
    ]);
    expect(calls).toContain(`STDIN ${PASSWORD}`);
  });

  it("answers whether a local image exists, tags, and reads the digest docker push prints", async () => {
    const docker = createDockerCli(process.env, withEngine.binary);
    await docker.assertEngine();
    expect(await docker.imageExists("present:1")).toBe(true);
    expect(await docker.imageExists("absent:1")).toBe(false);
    await docker.tag("present:1", "repo.example/x:1");
    expect(await docker.push("repo.example/x:1")).toBe(FAKE_DIGEST);
  });

  it("refuses with exit 2 when no engine answers", async () => {
    const noEngine = await fakeDocker(false);
    const error = await createDockerCli(process.env, noEngine.binary)
      .assertEngine()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe("docker.no-engine");
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toContain("Cannot connect to the Docker daemon");
  });

  it("says so when there is no docker binary at all", async () => {
    const error = await createDockerCli(process.env, "/nonexistent/docker")
      .assertEngine()
      .catch((e: unknown) => e);
    expect((error as UserError).code).toBe("docker.not-installed");
  });
});

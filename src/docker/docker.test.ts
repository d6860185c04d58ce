import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { createDockerCli } from "./docker.js";

const PASSWORD = "ecr-password-that-must-never-reach-argv-0123456789";
const DIGEST = `sha256:${"ab".repeat(32)}`;

/**
 * A stand-in `docker` executable recording its argv and stdin, so the wrapper's process handling is
 * tested for real (spawn, stdin, exit codes) without an engine. `engine` decides if `info` answers.
 */
async function fakeDocker(engine: boolean): Promise<{ binary: string; log: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "fake-docker-"));
  const log = path.join(dir, "calls.log");
  const binary = path.join(dir, "docker");
  await writeFile(
    binary,
    `#!/bin/sh
echo "ARGV $*" >> "${log}"
case "$1" in
  info) ${engine ? 'echo "27.3.1"; exit 0' : 'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2; exit 1'} ;;
  login) stdin=$(cat); echo "STDIN $stdin" >> "${log}"; echo "Login Succeeded"; exit 0 ;;
  image) [ "$5" = "present:1" ] && exit 0; exit 1 ;;
  tag) exit 0 ;;
  push) echo "1: digest: ${DIGEST} size: 529"; exit 0 ;;
esac
exit 3
`,
  );
  await chmod(binary, 0o755);
  return { binary, log };
}

describe("createDockerCli", () => {
  let withEngine: { binary: string; log: string };

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
    expect(await docker.push("repo.example/x:1")).toBe(DIGEST);
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

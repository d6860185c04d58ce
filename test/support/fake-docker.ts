import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export const FAKE_DIGEST = `sha256:${"ab".repeat(32)}`;

export interface FakeDocker {
  /** Directory holding the `docker` executable: put it first on PATH. */
  dir: string;
  binary: string;
  /** One line per call: `ARGV <args>`, and `STDIN <data>` for login. */
  log: string;
}

/**
 * A stand-in `docker` executable for machines without an engine (this one has only the client). It
 * records argv and stdin so tests can prove what reached the process: the wrapper's spawning, stdin
 * and exit-code handling run for real. `engine` decides whether `docker info` answers; only the
 * image `present:1` (and anything under `--image` given as `local:*`) exists locally.
 */
export async function fakeDocker(engine: boolean): Promise<FakeDocker> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "fake-docker-"));
  const log = path.join(dir, "calls.log");
  const binary = path.join(dir, "docker");
  const info = engine
    ? 'echo "27.3.1"; exit 0'
    : 'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2; exit 1';
  await writeFile(
    binary,
    `#!/bin/sh
echo "ARGV $*" >> "${log}"
case "$1" in
  info) ${info} ;;
  login) stdin=$(cat); echo "STDIN $stdin" >> "${log}"; echo "Login Succeeded"; exit 0 ;;
  image) case "$5" in present:1|local:*) exit 0 ;; esac; echo "No such image: $5" >&2; exit 1 ;;
  tag) exit 0 ;;
  push) echo "1: digest: ${FAKE_DIGEST} size: 529"; exit 0 ;;
esac
exit 3
`,
  );
  await chmod(binary, 0o755);
  return { dir, binary, log };
}

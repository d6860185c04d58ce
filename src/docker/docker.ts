import { ExternalError, UserError } from "../errors.js";
import { redactSecrets } from "../io/redact.js";

/** The docker client calls `image push` makes: every one goes through here, so tests can put a fake docker in its place. */
export interface DockerCli {
  /** Throws a UserError (exit 2) when there is no client or no engine answering it. */
  assertEngine(): Promise<void>;
  imageExists(ref: string): Promise<boolean>;
  /** The password goes to `docker login --password-stdin`: never on argv, never in a log. */
  login(registry: string, username: string, password: string): Promise<void>;
  tag(source: string, target: string): Promise<void>;
  push(ref: string): Promise<string>;
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return lines[lines.length - 1] ?? "";
}

export function createDockerCli(env: NodeJS.ProcessEnv, binary = "docker"): DockerCli {
  const run = async (args: string[], input?: string) => {
    const { execa } = await import("execa");
    return execa(binary, args, {
      env,
      extendEnv: false,
      reject: false,
      ...(input === undefined ? { stdin: "ignore" as const } : { input }),
    });
  };
  return {
    async assertEngine() {
      const out = await run(["info", "--format", "{{.ServerVersion}}"]);
      // No exit code means the process never started: there is no docker binary.
      if (out.exitCode === undefined) {
        throw new UserError("The docker client is not installed, so no image can be pushed from here.", {
          code: "docker.not-installed",
          suggestion: "Install Docker, or let the deploy workflow build and push on GitHub Actions.",
        });
      }
      if (out.exitCode !== 0 || out.stdout.trim() === "") {
        throw new UserError(
          `No Docker engine answers here (docker info: ${redactSecrets(lastLine(out.stderr) || "no server version")}).`,
          {
            code: "docker.no-engine",
            suggestion:
              "Start Docker (or set DOCKER_HOST to a running engine), or let the deploy workflow build and push on GitHub Actions.",
          },
        );
      }
    },
    async imageExists(ref) {
      const out = await run(["image", "inspect", "--format", "{{.Id}}", ref]);
      return out.exitCode === 0;
    },
    async login(registry, username, password) {
      const out = await run(["login", "--username", username, "--password-stdin", registry], password);
      if (out.exitCode !== 0) {
        throw new ExternalError(
          `docker login to ${registry} failed: ${redactSecrets(lastLine(out.stderr))}`,
          {
            code: "docker.login-failed",
            suggestion: "Check that the engine can reach the registry; the ECR token is valid for 12 hours.",
          },
        );
      }
    },
    async tag(source, target) {
      const out = await run(["tag", source, target]);
      if (out.exitCode !== 0) {
        throw new ExternalError(
          `docker tag ${source} ${target} failed: ${redactSecrets(lastLine(out.stderr))}`,
          {
            code: "docker.tag-failed",
          },
        );
      }
    },
    async push(ref) {
      const out = await run(["push", ref]);
      if (out.exitCode !== 0) {
        throw new ExternalError(`docker push ${ref} failed: ${redactSecrets(lastLine(out.stderr))}`, {
          code: "docker.push-failed",
          suggestion:
            "Run again; a tag that already exists in an IMMUTABLE repository cannot be pushed twice.",
        });
      }
      // `docker push` ends with "<tag>: digest: sha256:... size: N".
      return /digest: (sha256:[0-9a-f]{64})/.exec(out.stdout)?.[1] ?? "";
    },
  };
}

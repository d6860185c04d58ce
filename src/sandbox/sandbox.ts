import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { ExternalError, UserError } from "../errors.js";
import { isErrno, writeFileAtomic } from "../fs-util.js";

/** What `sandbox start` records so every later command finds the same emulator. */
export interface SandboxState {
  pid: number;
  port: number;
  endpoint: string;
  startedAt: string;
}

export const SANDBOX_ACCOUNT_ID = "123456789012";

export function sandboxStateFile(workRoot: string): string {
  return path.join(workRoot, "sandbox.json");
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrno(error, "EPERM");
  }
}

/**
 * Whether the emulator answers HTTP at all (any status). node:http rather than fetch: the first fetch() of a
 * process loads undici, 45 ms of every sandbox command's start on the test machine.
 */
export async function endpointAnswers(endpoint: string, timeoutMs = 1000): Promise<boolean> {
  const http = endpoint.startsWith("https:") ? await import("node:https") : await import("node:http");
  return new Promise((resolve) => {
    const request = http.get(`${endpoint}/moto-api/`, { timeout: timeoutMs }, (response) => {
      response.resume();
      response.on("end", () => resolve(true));
      response.on("error", () => resolve(false));
    });
    request.on("timeout", () => request.destroy(new Error("timed out")));
    request.on("error", () => resolve(false));
  });
}

export async function readSandboxState(workRoot: string): Promise<SandboxState | undefined> {
  try {
    return JSON.parse(await readFile(sandboxStateFile(workRoot), "utf8")) as SandboxState;
  } catch (error) {
    if (isErrno(error, "ENOENT") || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** The recorded sandbox, if its process is alive and answering. */
export async function runningSandbox(workRoot: string): Promise<SandboxState | undefined> {
  const state = await readSandboxState(workRoot);
  if (!state || !processAlive(state.pid)) return undefined;
  return (await endpointAnswers(state.endpoint)) ? state : undefined;
}

export async function findFreePort(): Promise<number> {
  const { default: getPort } = await import("get-port");
  return getPort({ host: "127.0.0.1" });
}

export interface StartOptions {
  workRoot: string;
  env: NodeJS.ProcessEnv;
  /** moto_server by default; overridable for tests and unusual installs. */
  command?: string;
  port?: number;
  /** Keep running after this process exits (the CLI's `sandbox start`). */
  detached?: boolean;
}

/** Starts moto server on a free loopback port with AWS-managed IAM policies loaded. */
export async function startMoto(options: StartOptions): Promise<SandboxState> {
  const command = options.command ?? options.env.TRITON_OPS_MOTO_SERVER ?? "moto_server";
  const port = options.port ?? (await findFreePort());
  await mkdir(options.workRoot, { recursive: true });
  const logFd = openSync(path.join(options.workRoot, "sandbox.log"), "a");
  const child = spawn(command, ["-H", "127.0.0.1", "-p", String(port)], {
    env: { ...options.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true" },
    stdio: ["ignore", logFd, logFd],
    detached: options.detached ?? true,
  });
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const failed = await Promise.race([
      spawnError,
      new Promise<undefined>((r) => setTimeout(r, 150, undefined)),
    ]);
    if (failed) {
      if (isErrno(failed, "ENOENT")) {
        throw new UserError(`The AWS emulator (${command}) is not installed.`, {
          code: "sandbox.missing",
          suggestion: "Install it with `pip install 'moto[server]'` (Python 3), then run the command again.",
        });
      }
      throw new ExternalError(`Could not start ${command}: ${failed.message}`, { code: "sandbox.start" });
    }
    if (child.exitCode !== null) {
      throw new ExternalError(
        `${command} exited with code ${child.exitCode} while starting; see ${path.join(options.workRoot, "sandbox.log")}.`,
        {
          code: "sandbox.start",
        },
      );
    }
    if (await endpointAnswers(endpoint, 500)) {
      if (options.detached ?? true) child.unref();
      const state: SandboxState = {
        pid: child.pid ?? 0,
        port,
        endpoint,
        startedAt: new Date().toISOString(),
      };
      return state;
    }
  }
  child.kill("SIGKILL");
  throw new ExternalError(`${command} did not answer on ${endpoint} within 30 s.`, {
    code: "sandbox.timeout",
  });
}

export async function startSandbox(
  options: StartOptions,
): Promise<{ state: SandboxState; started: boolean }> {
  const existing = await runningSandbox(options.workRoot);
  if (existing) return { state: existing, started: false };
  const state = await startMoto(options);
  await writeFileAtomic(sandboxStateFile(options.workRoot), `${JSON.stringify(state, null, 2)}\n`, {
    secret: true,
  });
  return { state, started: true };
}

/** Stops a process by id: SIGTERM, then SIGKILL if it lingers. */
export async function stopProcess(pid: number, graceMs = 5000): Promise<void> {
  if (!processAlive(pid)) return;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (processAlive(pid)) process.kill(pid, "SIGKILL");
}

export async function stopSandbox(workRoot: string): Promise<SandboxState | undefined> {
  const state = await readSandboxState(workRoot);
  if (state) await stopProcess(state.pid);
  await rm(sandboxStateFile(workRoot), { force: true });
  return state;
}

/**
 * The environment that points the SDK, Terraform and the AWS CLI at the emulator, with dummy
 * credentials; anything that could reach a real account (profiles, per-service endpoints) is removed.
 */
export function sandboxEnv(base: NodeJS.ProcessEnv, endpoint: string, region: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (/^AWS_/.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

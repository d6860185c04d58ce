import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type SandboxState, sandboxEnv, startMoto, stopProcess } from "../../src/sandbox/sandbox.js";

export interface Moto extends SandboxState {
  /** Environment pointing SDK, Terraform and the AWS CLI at this emulator. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/** A fresh emulator on a free loopback port, for one test file; stop it in afterAll. */
export async function startTestMoto(region = "us-east-1"): Promise<Moto> {
  const workRoot = await mkdtemp(path.join(os.tmpdir(), "triton-ops-moto-"));
  const state = await startMoto({ workRoot, env: process.env, detached: false });
  return {
    ...state,
    env: sandboxEnv(process.env, state.endpoint, region),
    stop: () => stopProcess(state.pid),
  };
}

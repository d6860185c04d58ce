import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../test/support/run-cli.js";
import { processAlive, stopProcess } from "./sandbox.js";

describe("sandbox start|status|stop", () => {
  let pid: number | undefined;
  afterAll(async () => {
    if (pid) await stopProcess(pid);
  });

  it("starts moto on loopback, reuses it, and stops it by pid", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "sandbox-"));
    const started = await runCli("sandbox start --json", { cwd });
    expect(started.code).toBe(0);
    const state = JSON.parse(started.stdout) as { pid: number; endpoint: string; started: boolean };
    pid = state.pid;
    expect(state.started).toBe(true);
    expect(state.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const iam = await fetch(
      `${state.endpoint}/?Action=ListPolicies&Scope=AWS&MaxItems=1000&Version=2010-05-08`,
      {
        headers: { Authorization: "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request" },
      },
    );
    expect(await iam.text()).toContain("AmazonEKSClusterPolicy");

    const again = JSON.parse((await runCli("sandbox start --json", { cwd })).stdout) as {
      pid: number;
      started: boolean;
    };
    expect(again).toMatchObject({ pid: state.pid, started: false });

    const status = JSON.parse((await runCli("sandbox status --json", { cwd })).stdout) as {
      running: boolean;
    };
    expect(status.running).toBe(true);

    const stopped = await runCli("sandbox stop", { cwd });
    expect(stopped.stdout).toContain(`pid ${state.pid}`);
    expect(processAlive(state.pid)).toBe(false);
    const after = JSON.parse((await runCli("sandbox status --json", { cwd })).stdout) as { running: boolean };
    expect(after.running).toBe(false);
  });
});

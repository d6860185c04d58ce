import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KubeStandin, startKubeStandin } from "../../test/support/kube-standin.js";
import { runCli } from "../../test/support/run-cli.js";
import { startTritonStandin, type TritonStandin } from "../../test/support/triton-standin.js";

const sample = path.resolve(import.meta.dirname, "../../templates/sample-model/models");
const env = { PATH: process.env.PATH ?? "", HOME: tmpdir() };

describe.each(["url", "service proxy"] as const)("models status/load/unload/infer through %s", (via) => {
  let triton: TritonStandin;
  let kube: KubeStandin | undefined;
  let reach: string;
  beforeAll(async () => {
    triton = await startTritonStandin(sample, { controlMode: "explicit" });
    if (via === "url") {
      reach = `--url ${triton.url}`;
    } else {
      kube = await startKubeStandin({ proxyUpstreams: { "triton/triton:8000": triton.url } });
      reach = `--kubeconfig ${kube.kubeconfigPath}`;
    }
  });
  afterAll(async () => {
    await triton.stop();
    await kube?.stop();
  });

  it("walks a model from unloaded to an answered inference and back", async () => {
    const before = await runCli(`models status ${reach} --json`, { env });
    expect(before.code).toBe(1);
    expect(JSON.parse(before.stdout).models).toEqual([
      { name: "identity", state: "UNAVAILABLE", reason: "unloaded", ready: false },
    ]);

    const notReady = await runCli(`models infer identity ${reach}`, { env });
    expect(notReady.code).toBe(3);
    expect(notReady.stderr).toMatch(
      /no metadata for identity \(400\): Request for unknown model: 'identity' has no available versions/,
    );

    const load = await runCli(`models load identity ${reach} --json`, { env });
    expect(load.code).toBe(0);
    expect(JSON.parse(load.stdout)).toMatchObject({ model: "identity", action: "load", ready: true });

    const status = await runCli(`models status ${reach}`, { env });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/identity\s+1\s+READY\s+yes/);

    const infer = await runCli(`models infer identity ${reach} --json`, { env });
    expect(infer.code).toBe(0);
    const result = JSON.parse(infer.stdout);
    expect(result).toMatchObject({
      model: "identity",
      ok: true,
      status: 200,
      outputs: [{ name: "OUTPUT0", datatype: "FP32", shape: [1, 1] }],
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    // The request was built from the metadata: every -1, the batch dimension included, became 1.
    expect(triton.requests.filter((r) => r.path === "/v2/models/identity/infer")).toHaveLength(1);

    const unload = await runCli(`models unload identity ${reach}`, { env });
    expect(unload.code).toBe(0);
    expect(unload.stdout).toMatch(/Unloaded identity .* ready: no/);
  });

  it("refuses an unknown model with exit 2 and asks nothing of Triton beyond the index", async () => {
    const before = triton.requests.length;
    for (const verb of ["load", "unload", "infer"]) {
      const run = await runCli(`models ${verb} nope ${reach}`, { env });
      expect(run.code).toBe(2);
      expect(run.stderr.split("\n")[0]).toMatch(/has no model "nope" in its repository\.$/);
    }
    expect(triton.requests.slice(before).every((r) => r.path === "/v2/repository/index")).toBe(true);
  });

  it("sends a given --input and reports Triton's refusal of a wrong shape as exit 1", async () => {
    await runCli(`models load identity ${reach}`, { env });
    const dir = mkdtempSync(path.join(tmpdir(), "infer-"));
    const bad = path.join(dir, "bad.json");
    writeFileSync(
      bad,
      JSON.stringify({ inputs: [{ name: "INPUT0", datatype: "FP32", shape: [1, 2], data: [1] }] }),
    );
    const run = await runCli(`models infer identity ${reach} --input ${bad}`, { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/identity failed \(400.*expects 2 elements, got 1/);
    const good = path.join(dir, "good.json");
    writeFileSync(
      good,
      JSON.stringify({
        inputs: [{ name: "INPUT0", datatype: "FP32", shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }],
      }),
    );
    expect((await runCli(`models infer identity ${reach} --input ${good}`, { env })).stdout).toMatch(
      /OUTPUT0 FP32\[2,3\]/,
    );
  });
});

describe("models commands against an unreachable Triton", () => {
  it("exit 3 naming the address, for --url and for the service proxy", async () => {
    const direct = await runCli("models status --url http://127.0.0.1:9", { env });
    expect(direct.code).toBe(3);
    expect(direct.stderr.split("\n")[0]).toMatch(/^Error: Triton at http:\/\/127\.0\.0\.1:9 is unreachable/);
    const kube = await startKubeStandin();
    try {
      const proxied = await runCli(`models status --kubeconfig ${kube.kubeconfigPath}`, { env });
      expect(proxied.code).toBe(3);
      expect(proxied.stderr).toMatch(
        /Triton at service triton\/triton:8000 through the Kubernetes API is unreachable: no endpoints/,
      );
    } finally {
      await kube.stop();
    }
  });

  it("refuses load in poll mode with Triton's reason (exit 2)", async () => {
    const triton = await startTritonStandin(sample, { controlMode: "poll" });
    try {
      const run = await runCli(`models load identity --url ${triton.url}`, { env });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/polling is enabled/);
    } finally {
      await triton.stop();
    }
  });
});

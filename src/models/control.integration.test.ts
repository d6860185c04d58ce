import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pod } from "../../test/support/kube-fixtures.js";
import { type KubeStandin, startKubeStandin } from "../../test/support/kube-standin.js";
import { type Moto, startTestMoto } from "../../test/support/moto.js";
import { makeProject, WORKLOAD_OUTPUTS } from "../../test/support/project.js";
import { runCli } from "../../test/support/run-cli.js";
import { startTritonStandin, type TritonStandin } from "../../test/support/triton-standin.js";

// `models sync --load` (explicit mode) and `--wait` (poll mode): files go to the emulator's S3 with the real
// sync, and the Triton stand-in reads its repository from that bucket (copied to a local directory before
// each load and poll, as Triton downloads an S3 repository), so what becomes READY is what was synced.
const sample = path.resolve(import.meta.dirname, "../../templates/sample-model/models");
const BUCKET = WORKLOAD_OUTPUTS.ecr!.model_bucket_name as string;
// A backend error lint cannot see: the model's Python imports a package the image does not have.
const BROKEN_REASON =
  "Failed to initialize Python stub: ModuleNotFoundError: No module named 'torch' (at /models/broken/1/model.py:3)";

let moto: Moto;
let good: string;
let mixed: string;

async function project(triton: Record<string, unknown>): Promise<string> {
  return makeProject({ config: { triton }, outputs: { ecr: WORKLOAD_OUTPUTS.ecr! } });
}

function s3(): S3Client {
  return new S3Client({
    endpoint: moto.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
}

async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await s3().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/` }));
  return (listed.Contents ?? []).map((o) => o.Key ?? "");
}

/** A stand-in whose repository is s3://BUCKET/PREFIX, copied to a fresh directory before each load and poll. */
async function tritonOnBucket(
  prefix: string,
  options: Parameters<typeof startTritonStandin>[1],
): Promise<TritonStandin> {
  const local = await mkdtemp(path.join(tmpdir(), "triton-repo-"));
  const refresh = async () => {
    await rm(local, { recursive: true, force: true });
    await mkdir(local);
    for (const key of await keysUnder(prefix)) {
      const object = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const file = path.join(local, key.slice(prefix.length + 1));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, await object.Body!.transformToByteArray());
    }
  };
  await refresh();
  return startTritonStandin(local, { ...options, refresh });
}

beforeAll(async () => {
  moto = await startTestMoto();
  await s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  const root = await mkdtemp(path.join(tmpdir(), "models-control-"));
  good = path.join(root, "good");
  mixed = path.join(root, "mixed");
  await cp(sample, good, { recursive: true });
  await cp(sample, mixed, { recursive: true });
  await mkdir(path.join(mixed, "broken"));
  await cp(path.join(sample, "identity"), path.join(mixed, "broken"), { recursive: true });
  const config = path.join(mixed, "broken", "config.pbtxt");
  await writeFile(config, (await readFile(config, "utf8")).replace('name: "identity"', 'name: "broken"'));
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

describe.each(["url", "service proxy"] as const)("explicit mode: models sync --load through %s", (via) => {
  let triton: TritonStandin;
  let kube: KubeStandin | undefined;
  let cwd: string;
  let reach: string;
  beforeAll(async () => {
    cwd = await project({ modelControlMode: "explicit" });
    triton = await tritonOnBucket("models", { controlMode: "explicit", failLoad: { broken: BROKEN_REASON } });
    if (via === "url") {
      reach = `--url ${triton.url}`;
    } else {
      kube = await startKubeStandin({ proxyUpstreams: { "triton/triton:8000": triton.url } });
      reach = `--kubeconfig ${kube.kubeconfigPath}`;
    }
  }, 30_000);
  afterAll(async () => {
    await triton?.stop();
    await kube?.stop();
  });
  const run = (args: string) => runCli(`models sync ${args} ${reach}`, { cwd, env: moto.env });

  it("loads the synced model through the repository API and waits for READY", async () => {
    const sync = await run(`${good} --load --json`);
    expect(sync.code, sync.stderr).toBe(0);
    const result = JSON.parse(sync.stdout);
    expect(result.triton).toMatchObject({
      mode: "explicit",
      ok: true,
      models: [{ name: "identity", state: "READY", reason: "", ready: true }],
    });
    expect(triton.requests).toContainEqual({ method: "POST", path: "/v2/repository/models/identity/load" });
    // READY means served: the model answers an inference built from its metadata.
    expect((await runCli(`models infer identity ${reach}`, { env: moto.env })).code).toBe(0);
  });

  it("names a model that fails to load with Triton's reason, exit 1; the others stay READY", async () => {
    const sync = await run(`${mixed} --load`);
    expect(sync.code).toBe(1);
    expect(sync.stdout).toContain("1 of 2 model(s) not READY");
    expect(sync.stdout).toContain(`broken: UNAVAILABLE: ${BROKEN_REASON}`);
    const status = JSON.parse((await runCli(`models status ${reach} --json`, { env: moto.env })).stdout);
    expect(status.models.find((m: { name: string }) => m.name === "identity")).toMatchObject({ ready: true });
  });

  it("with --delete, unloads a model whose files are gone, so Triton no longer lists or serves it", async () => {
    const sync = await run(`${good} --load --delete --yes --json`);
    expect(sync.code, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout).triton).toMatchObject({ ok: true, unloaded: ["broken"] });
    const status = JSON.parse((await runCli(`models status ${reach} --json`, { env: moto.env })).stdout);
    expect(status.models.map((m: { name: string }) => m.name)).toEqual(["identity"]);
  });
});

describe("explicit mode with two Triton replicas: the load reaches each pod", () => {
  let a: TritonStandin;
  let b: TritonStandin;
  let kube: KubeStandin;
  let cwd: string;
  let reach: string;
  const loads = (t: TritonStandin, model: string) =>
    t.requests.filter((r) => r.method === "POST" && r.path === `/v2/repository/models/${model}/load`).length;
  beforeAll(async () => {
    cwd = await makeProject({
      config: { triton: { modelControlMode: "explicit", replicas: 2, modelRepositoryPath: "replicas" } },
      outputs: { ecr: WORKLOAD_OUTPUTS.ecr! },
    });
    a = await tritonOnBucket("replicas", { controlMode: "explicit" });
    // The same repository, but this replica's backend cannot initialise "broken" (a node-local failure).
    b = await tritonOnBucket("replicas", { controlMode: "explicit", failLoad: { broken: BROKEN_REASON } });
    const labels = { "app.kubernetes.io/name": "triton" };
    kube = await startKubeStandin({
      objects: [
        pod("triton", "triton-a", { labels }),
        pod("triton", "triton-b", { labels }),
        // Not Ready: a Service sends it nothing, and neither does the load.
        pod("triton", "triton-c", { labels, ready: false }),
      ],
      // The Service reaches one replica, as kube-proxy would pick one.
      proxyUpstreams: { "triton/triton:8000": a.url },
      podUpstreams: { "triton/triton-a:8000": a.url, "triton/triton-b:8000": b.url },
    });
    reach = `--kubeconfig ${kube.kubeconfigPath}`;
  }, 30_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await kube?.stop();
  });

  it("models sync --load loads on both ready pods and reports each", async () => {
    const sync = await runCli(`models sync ${good} --load --json ${reach}`, { cwd, env: moto.env });
    expect(sync.code, sync.stderr).toBe(0);
    const { triton } = JSON.parse(sync.stdout);
    expect(triton).toMatchObject({
      ok: true,
      models: [{ name: "identity", ready: true }],
      replicas: [
        { pod: "triton-a", ok: true, notReady: [] },
        { pod: "triton-b", ok: true, notReady: [] },
      ],
    });
    expect(loads(a, "identity")).toBe(1);
    expect(loads(b, "identity")).toBe(1);
    expect(kube.requests.log.some((r) => r.path.includes("/pods/triton-c"))).toBe(false);
  });

  it("a model that fails on one replica is not READY, named with that pod and Triton's reason", async () => {
    const sync = await runCli(`models sync ${mixed} --load ${reach}`, { cwd, env: moto.env });
    expect(sync.code).toBe(1);
    expect(sync.stdout).toContain("1 of 2 model(s) not READY on 2 Triton replicas (pods triton-a, triton-b)");
    expect(sync.stdout).toContain(`broken: UNAVAILABLE: on pod triton-b: ${BROKEN_REASON}`);
    // Served by the other replica all the same: through the Service, half the requests would have failed.
    expect(a.models.get("broken")?.state).toBe("READY");
  });

  it("models status reads every replica: a model READY on one pod only is not READY", async () => {
    const run = await runCli(`models status --json ${reach}`, { env: moto.env });
    expect(run.code).toBe(1);
    const status = JSON.parse(run.stdout);
    expect(status.address).toBe("2 Triton replicas (pods triton-a, triton-b)");
    expect(status.models.find((m: { name: string }) => m.name === "identity")).toMatchObject({ ready: true });
    expect(status.models.find((m: { name: string }) => m.name === "broken")).toMatchObject({
      ready: false,
      state: "UNAVAILABLE",
      reason: `on pod triton-b: ${BROKEN_REASON}`,
    });
    expect(status.replicas).toEqual([
      { pod: "triton-a", ok: true, notReady: [] },
      { pod: "triton-b", ok: false, notReady: ["broken"] },
    ]);
  });

  it("models load NAME loads on every replica", async () => {
    const before = [loads(a, "identity"), loads(b, "identity")];
    const run = await runCli(`models load identity --json ${reach}`, { cwd, env: moto.env });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ready: true,
      replicas: [{ ready: true }, { ready: true }],
    });
    expect([loads(a, "identity"), loads(b, "identity")]).toEqual([before[0]! + 1, before[1]! + 1]);
  });
});

describe("poll mode: models sync --wait", () => {
  it("says changes are picked up within the poll interval, and --wait waits until they are READY", async () => {
    const cwd = await project({
      modelControlMode: "poll",
      repositoryPollSeconds: 1,
      modelRepositoryPath: "polled",
    });
    const triton = await tritonOnBucket("polled", { controlMode: "poll", pollSecs: 1 });
    try {
      expect(triton.models.size).toBe(0); // nothing synced yet
      const refused = await runCli(`models sync ${good} --load --url ${triton.url}`, { cwd, env: moto.env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /--load needs triton.modelControlMode: explicit; this project uses poll/,
      );
      expect(await keysUnder("polled")).toEqual([]); // the refused run uploaded nothing

      const sync = await runCli(`models sync ${good} --wait --json --url ${triton.url}`, {
        cwd,
        env: moto.env,
      });
      expect(sync.code, sync.stderr).toBe(0);
      const result = JSON.parse(sync.stdout).triton;
      expect(result).toMatchObject({ mode: "poll", ok: true, models: [{ name: "identity", ready: true }] });
      expect(result.waitedMs).toBeGreaterThanOrEqual(1000); // one poll interval at least
      // No load was asked for: poll mode picks the files up by itself.
      expect(triton.requests.some((r) => r.path.includes("/load"))).toBe(false);

      const again = await runCli(`models sync ${good}`, { cwd, env: moto.env });
      expect(again.stderr).toContain("the changes are picked up within 1 s");
    } finally {
      await triton.stop();
    }
  });

  it("gives up after --timeout, naming the model Triton has not picked up (exit 1)", async () => {
    const cwd = await project({
      modelControlMode: "poll",
      repositoryPollSeconds: 1,
      modelRepositoryPath: "stale",
    });
    // A Triton that never polls (as with --repository-poll-secs=0) never sees the synced model.
    const triton = await tritonOnBucket("stale", { controlMode: "poll" });
    try {
      const sync = await runCli(`models sync ${good} --wait --timeout 2 --url ${triton.url}`, {
        cwd,
        env: moto.env,
      });
      expect(sync.code).toBe(1);
      expect(sync.stdout).toContain("1 of 1 model(s) not READY");
      expect(sync.stdout).toContain("after 2 s");
      expect(sync.stdout).toContain("identity: MISSING: not in Triton's repository index");
    } finally {
      await triton.stop();
    }
  });
});

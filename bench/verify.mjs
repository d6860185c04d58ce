// `verify` against an API that answers every request in 100 ms takes about as long as its slowest check,
// not the sum: the checks run concurrently. Subject: all ten checks; reference: the slowest check alone
// (with the prerequisite it needs), both in-process through the built CLI against the Kubernetes
// stand-in (latencyMs 100) and a seeded moto.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { compare } from "./lib.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The stand-in and its fixtures are TypeScript test support: transpile them once for plain node. */
async function loadTestSupport(dir) {
  const ts = (await import("typescript")).default;
  const names = ["kube-standin", "kube-fixtures", "aws-seed"];
  for (const name of names) {
    const source = await readFile(path.join(root, "test", "support", `${name}.ts`), "utf8");
    // Packages resolve from this repository, not from the temporary directory.
    const js = ts
      .transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      })
      .outputText.replace(/from "([@a-z][^".:]*)"/g, (_, spec) => `from "${import.meta.resolve(spec)}"`);
    await writeFile(path.join(dir, `${name}.js`), js);
  }
  const out = {};
  for (const name of names) out[name] = await import(pathToFileURL(path.join(dir, `${name}.js`)).href);
  return out;
}

export async function run({ repetitions = 7 } = {}) {
  const { main } = await import(pathToFileURL(path.join(root, "dist", "cli.js")).href);
  const { Interrupts } = await import(pathToFileURL(path.join(root, "dist", "signals.js")).href);
  const { startMoto, sandboxEnv, stopProcess } = await import(
    pathToFileURL(path.join(root, "dist", "sandbox", "sandbox.js")).href
  );
  const { CHECK_IDS } = await import(pathToFileURL(path.join(root, "dist", "verify", "checks.js")).href);
  const work = await mkdtemp(path.join(os.tmpdir(), "bench-verify-"));
  const support = await loadTestSupport(work);
  const moto = await startMoto({ workRoot: path.join(work, "moto"), env: process.env, detached: false });
  const env = sandboxEnv(process.env, moto.endpoint, "us-east-1");
  let standin;
  try {
    const { vpcId } = await support["aws-seed"].seedProjectAws({
      endpoint: moto.endpoint,
      name: "bench",
      environment: "dev",
      imageTag: "latest",
    });
    const project = path.join(work, "project");
    await mkdir(path.join(project, ".triton-ops", "dev", "state"), { recursive: true });
    await writeFile(
      path.join(project, "triton-ops.yaml"),
      "name: bench\nenvironment: dev\nregion: us-east-1\nsystemNodes: { size: 2 }\n",
    );
    const state = (outputs) =>
      JSON.stringify({
        version: 4,
        serial: 1,
        outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v }])),
        resources: [],
      });
    await writeFile(
      path.join(project, ".triton-ops", "dev", "state", "vpc.tfstate"),
      state({ vpc_id: vpcId }),
    );
    await writeFile(
      path.join(project, ".triton-ops", "dev", "state", "eks.tfstate"),
      state({ cluster_name: "bench-dev" }),
    );

    const f = support["kube-fixtures"];
    const targets = ["triton", "dcgm-exporter", "node-exporter"].map((job) => ({
      labels: { job, instance: job },
      health: "up",
    }));
    standin = await support["kube-standin"].startKubeStandin({
      latencyMs: 100,
      objects: [
        f.node("gpu-1", { gpus: 1 }),
        f.node("sys-1", { pool: "system" }),
        f.node("sys-2", { pool: "system" }),
        f.pod("triton", "triton-1", { node: "gpu-1" }),
        f.pod("monitoring", "prometheus-1", { node: "sys-1" }),
      ],
      proxy: {
        "triton/triton:8000/v2/health/ready": { status: 200, body: "" },
        "monitoring/prometheus:9090/api/v1/targets": {
          status: 200,
          body: { data: { activeTargets: targets } },
        },
      },
    });

    const verify = async (extra) => {
      let stdout = "";
      const ctx = {
        cwd: project,
        env: { ...env, CI: "true" },
        stdout: { write: (s) => (stdout += s) },
        stderr: { write: () => {} },
        stdinIsTTY: false,
        stderrIsTTY: false,
        interrupts: new Interrupts(),
      };
      const started = process.hrtime.bigint();
      const code = await main(["verify", "--json", "--kubeconfig", standin.kubeconfigPath, ...extra], ctx);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const result = JSON.parse(stdout);
      if (code !== 0)
        throw new Error(
          `verify ${extra.join(" ")} exited ${code}: ${JSON.stringify(result.checks.filter((c) => c.status !== "pass"))}`,
        );
      return { ms };
    };

    // The slowest single check (median of three), with the prerequisite it cannot run without.
    await verify([]);
    standin.requests.reset();
    await verify([]);
    const requestsPerRun = standin.requests.count;
    let slowest = { id: "", ms: 0 };
    for (const id of CHECK_IDS) {
      const times = [];
      for (let i = 0; i < 3; i++) times.push((await verify(["--only", id])).ms);
      const ms = times.sort((a, b) => a - b)[1];
      if (ms > slowest.ms) slowest = { id, ms };
    }
    return [
      await compare({
        name: `verify: all 10 checks vs the slowest alone (${slowest.id}), API latency 100 ms`,
        subject: () => verify([]),
        reference: () => verify(["--only", slowest.id]),
        repetitions,
        target: 1.5,
        note: `${requestsPerRun} Kubernetes requests of 100 ms per full verify`,
      }),
    ];
  } finally {
    await standin?.stop();
    await stopProcess(moto.pid);
    await rm(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await run(), null, 2));
}

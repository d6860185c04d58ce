// `up --stage all` on a converged environment costs at most 1.1x `terraform plan` run by hand on the five
// stacks, one after the other, with the same variables, state and provider mirror, in the same run.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compare, providerMirror, timeCommand } from "./lib.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(root, "bin", "triton-ops.js");
const STACKS = ["vpc", "iam", "ecr", "eks", "gpu-nodes"];

export async function run({ repetitions = 5 } = {}) {
  const { sandboxEnv, readSandboxState, stopProcess } = await import(
    path.join(root, "dist", "sandbox", "sandbox.js")
  );
  const { writeMirrorCliConfig } = await import(path.join(root, "dist", "terraform", "runner.js"));
  const mirror = providerMirror();
  const cwd = await mkdtemp(path.join(os.tmpdir(), "bench-up-"));
  const env = { ...process.env, CI: "true", TRITON_OPS_PROVIDER_MIRROR: mirror };
  const cli = (args, okCodes = [0]) => timeCommand(process.execPath, [bin, ...args], { cwd, env, okCodes });
  const workRoot = path.join(cwd, ".triton-ops");
  try {
    await cli(["init", "--yes", "--sandbox", "--name", "bench", "--env", "b"]);
    const file = path.join(cwd, "triton-ops.yaml");
    await writeFile(file, `${await readFile(file, "utf8")}network:\n  azCount: 2\n`);
    // Converge once; every timed `up` after this has nothing to apply.
    await cli(["up", "--stage", "all", "--yes"]);
    const sandbox = await readSandboxState(workRoot);
    const tfEnv = {
      ...sandboxEnv(process.env, sandbox.endpoint, "us-east-1"),
      TF_CLI_CONFIG_FILE: await writeMirrorCliConfig(mirror, workRoot),
      TF_IN_AUTOMATION: "1",
    };
    const planAll = async () => {
      let ms = 0;
      for (const stack of STACKS) {
        const dir = path.join(workRoot, "b", "terraform", "stacks", stack);
        ms += (
          await timeCommand("terraform", ["plan", "-input=false", "-no-color"], { cwd: dir, env: tfEnv })
        ).ms;
      }
      return { ms };
    };
    const result = await compare({
      name: "up: up --stage all (converged) vs terraform plan x5",
      subject: () => cli(["up", "--stage", "all", "--yes"]),
      reference: planAll,
      repetitions,
      target: 1.1,
      note: "sandbox, 2 AZs",
    });
    if (sandbox) await stopProcess(sandbox.pid);
    return [result];
  } finally {
    const sandbox = await readSandboxState(workRoot).catch(() => undefined);
    if (sandbox) await stopProcess(sandbox.pid).catch(() => undefined);
    await rm(cwd, { recursive: true, force: true });
  }
}

import { createHash } from "node:crypto";
import { cp, mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../config/schema.js";
import { isErrno, writeFileAtomic } from "../fs-util.js";
import { TERRAFORM_ROOT } from "../paths.js";
import type { Runtime } from "../runtime.js";
import type { TerraformStage } from "../stages.js";
import { runRecordPath } from "./run-record.js";
import { mirrorCliConfig, TerraformRunner } from "./runner.js";

/**
 * Each environment gets its own copy of the bundled stacks under <envDir>/terraform, so the package
 * stays read-only, several environments never share a .terraform dir, and the backend can be generated
 * (a backend's type cannot be chosen by a variable). State lives outside the copies, in <envDir>/state.
 */
export function terraformDir(envDir: string): string {
  return path.join(envDir, "terraform");
}
export function stackDir(envDir: string, stage: TerraformStage): string {
  return path.join(terraformDir(envDir), "stacks", stage);
}
export function localStatePath(envDir: string, stage: TerraformStage): string {
  return path.join(envDir, "state", `${stage}.tfstate`);
}
export function logFile(envDir: string, stage: TerraformStage, action: string): string {
  return path.join(envDir, "logs", `${stage}-${action}.log`);
}

/** Files that belong in a working copy: configuration and templates, not tests or docs. */
function copied(source: string): boolean {
  const base = path.basename(source);
  return (
    base !== "tests" &&
    base !== ".terraform" &&
    !base.endsWith(".md") &&
    !base.includes(".tfstate") &&
    base !== ".terraform.lock.hcl"
  );
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (!copied(full)) continue;
    if (entry.isDirectory()) out.push(...(await listFiles(full)));
    else out.push(full);
  }
  return out.sort();
}

/** What a run writes into a working copy that does not call for a new `terraform init`. */
const RUN_OUTPUTS = new Set(["tfplan", "terraform.tfvars.json"]);

/**
 * Hash of the configuration (bundled files and the generated backend), so init runs again only when
 * it changed. The saved plan and the variables change every run and must not count: with them in,
 * every `up` re-ran init on every stack (about 1.5 s each).
 */
export async function sourceFingerprint(dir: string): Promise<string> {
  const hash = createHash("sha256");
  for (const file of await listFiles(dir)) {
    if (RUN_OUTPUTS.has(path.relative(dir, file))) continue;
    hash.update(path.relative(dir, file));
    hash.update(await readFile(file));
  }
  return hash.digest("hex");
}

export function backendConfig(config: Config, stage: TerraformStage): Record<string, unknown> {
  if (config.state.backend === "s3") {
    return {
      s3: {
        bucket: config.state.bucket,
        key: `${config.state.keyPrefix}/${config.environment}/${stage}.tfstate`,
        region: config.state.region ?? config.region,
        encrypt: true,
        use_lockfile: true,
        // The emulator serves buckets by path, not by virtual host.
        ...(config.sandbox ? { use_path_style: true } : {}),
      },
    };
  }
  // Relative to the stack's working copy, so a moved project keeps its state.
  return { local: { path: path.join("..", "..", "..", "state", `${stage}.tfstate`) } };
}

export interface PreparedStack {
  stage: TerraformStage;
  dir: string;
  initialized: boolean;
}

/** Terraform, pointed at the right binary, mirror and environment for this runtime. */
export async function createTerraformRunner(rt: Runtime): Promise<TerraformRunner> {
  const binary = rt.config.terraform.binary ?? "terraform";
  // Checked before anything is written: a missing or old Terraform must leave the work dir untouched.
  await new TerraformRunner({ binary, env: rt.env }).ensureVersion();
  const env: NodeJS.ProcessEnv = { ...rt.env };
  let setup: (() => Promise<void>) | undefined;
  if (rt.config.terraform.providerMirror) {
    // Checked now, written when Terraform first runs: a preflight that refuses changes nothing.
    const { file, text } = mirrorCliConfig(rt.config.terraform.providerMirror, rt.workRoot);
    env.TF_CLI_CONFIG_FILE = file;
    setup = () => writeFileAtomic(file, text);
  }
  return new TerraformRunner({
    ...(setup ? { setup } : {}),
    binary,
    env,
    interrupts: rt.ctx.interrupts,
    debug: (m) => rt.io.debug(m),
    notice: (m) => rt.io.warn(m),
  });
}

/** Refreshes the working copies of the stacks from the package (keeping .terraform and lock files). */
export async function syncStacks(envDir: string): Promise<void> {
  const target = terraformDir(envDir);
  await rm(path.join(target, "modules"), { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  await cp(path.join(TERRAFORM_ROOT, "modules"), path.join(target, "modules"), {
    recursive: true,
    filter: copied,
  });
  const stacks = await readdir(path.join(TERRAFORM_ROOT, "stacks"));
  for (const stage of stacks) {
    const dest = path.join(target, "stacks", stage);
    await mkdir(dest, { recursive: true });
    for (const entry of await readdir(dest, { withFileTypes: true })) {
      const generated = entry.name === "backend.tf.json" || entry.name === "terraform.tfvars.json";
      if (!generated && (entry.name.endsWith(".tf") || entry.name === "templates")) {
        await rm(path.join(dest, entry.name), { recursive: true, force: true });
      }
    }
    await cp(path.join(TERRAFORM_ROOT, "stacks", stage), dest, { recursive: true, filter: copied });
  }
  await mkdir(path.join(envDir, "state"), { recursive: true, mode: 0o700 });
}

/** Writes the backend and runs `terraform init` when the stack is new or its configuration changed. */
export async function prepareStack(
  rt: Runtime,
  runner: TerraformRunner,
  stage: TerraformStage,
): Promise<PreparedStack> {
  const dir = stackDir(rt.envDir, stage);
  const backend = JSON.stringify({ terraform: { backend: backendConfig(rt.config, stage) } }, null, 2);
  await writeFileAtomic(path.join(dir, "backend.tf.json"), `${backend}\n`);
  const fingerprint = `${await sourceFingerprint(dir)}:${runner.env.TF_CLI_CONFIG_FILE ?? ""}`;
  const marker = path.join(dir, ".terraform", "triton-ops-init");
  let previous: string | undefined;
  try {
    previous = await readFile(marker, "utf8");
  } catch (error) {
    if (!isErrno(error, "ENOENT")) throw error;
  }
  if (previous === fingerprint) return { stage, dir, initialized: false };
  const args = ["init", "-input=false", "-no-color", "-reconfigure"];
  // Without a mirror, a stack initialised before (lock file and providers in place) re-inits from the
  // providers it already has: the lock file pins their versions, so the registry has nothing to add, and
  // a new shell without TRITON_OPS_PROVIDER_MIRROR still works offline.
  if (!rt.config.terraform.providerMirror && (await reusableProviders(dir))) {
    args.push(`-plugin-dir=${path.join(dir, ".terraform", "providers")}`);
  }
  await runner.run(args, {
    cwd: dir,
    logFile: logFile(rt.envDir, stage, "init"),
    record: { file: runRecordPath(rt.envDir, stage), stage },
  });
  await writeFileAtomic(marker, fingerprint);
  return { stage, dir, initialized: true };
}

/** A lock file beside installed providers for every provider it pins (only hashicorp/aws here). */
async function reusableProviders(dir: string): Promise<boolean> {
  let lock: string;
  try {
    lock = await readFile(path.join(dir, ".terraform.lock.hcl"), "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) return false;
    throw error;
  }
  const pinned = [...lock.matchAll(/^provider "([^"]+)" \{\s*\n\s*version\s*=\s*"([^"]+)"/gm)];
  if (pinned.length === 0) return false;
  for (const [, source, version] of pinned) {
    if (!(await fileExists(path.join(dir, ".terraform", "providers", source!, version!)))) return false;
  }
  return true;
}

export async function writeStackVariables(dir: string, variables: Record<string, unknown>): Promise<void> {
  await writeFileAtomic(path.join(dir, "terraform.tfvars.json"), `${JSON.stringify(variables, null, 2)}\n`);
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (isErrno(error, "ENOENT")) return false;
    throw error;
  }
}

import { readFile, stat } from "node:fs/promises";
import { ExternalError } from "../errors.js";
import { isErrno } from "../fs-util.js";
import type { Runtime } from "../runtime.js";
import { type ProjectOutputs, TERRAFORM_STAGES, type TerraformStage } from "../stages.js";
import type { TerraformRunner } from "./runner.js";
import {
  createTerraformRunner,
  fileExists,
  localStatePath,
  prepareStack,
  stackDir,
  syncStacks,
} from "./workspace.js";

/** One resource instance held in a stack's state. */
export interface StateResource {
  address: string;
  type: string;
  name: string;
  id?: string;
  arn?: string;
  attributes: Record<string, unknown>;
}

interface StateFile {
  serial?: number;
  outputs?: Record<string, { value: unknown; sensitive?: boolean }>;
  resources?: Array<{
    module?: string;
    mode: string;
    type: string;
    name: string;
    instances: Array<{ index_key?: string | number; attributes?: Record<string, unknown> }>;
  }>;
}

export interface StackState {
  outputs: Record<string, unknown>;
  resources: StateResource[];
  serial: number;
  /** When the state was last written, where the backend tells (local files). */
  modifiedAt: Date | undefined;
}

/** Pure: a state document into outputs and managed resources. */
export function parseState(doc: StateFile): Omit<StackState, "modifiedAt"> {
  const outputs: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(doc.outputs ?? {})) outputs[name] = output.value;
  const resources: StateResource[] = [];
  for (const r of doc.resources ?? []) {
    if (r.mode !== "managed") continue;
    for (const instance of r.instances) {
      const key =
        instance.index_key === undefined
          ? ""
          : typeof instance.index_key === "number"
            ? `[${instance.index_key}]`
            : `[${JSON.stringify(instance.index_key)}]`;
      const attributes = instance.attributes ?? {};
      resources.push({
        address: `${r.module ? `${r.module}.` : ""}${r.type}.${r.name}${key}`,
        type: r.type,
        name: r.name,
        ...(typeof attributes.id === "string" ? { id: attributes.id } : {}),
        ...(typeof attributes.arn === "string" ? { arn: attributes.arn } : {}),
        attributes,
      });
    }
  }
  return { outputs, resources, serial: doc.serial ?? 0 };
}

/**
 * A state that is not JSON. The backup is named only when there is one: a first plan killed before
 * Terraform wrote anything leaves a 0-byte file (read as "no state yet", never as corrupt) and no backup.
 */
function parseStateText(text: string, where: string, backup?: string): StateFile {
  try {
    return JSON.parse(text) as StateFile;
  } catch {
    throw new ExternalError(`State at ${where} is not valid JSON.`, {
      code: "terraform.state-corrupt",
      suggestion: backup
        ? `Restore it from the backup beside it (${backup}); check the backup holds what you expect first.`
        : where.startsWith("s3://")
          ? "Restore an earlier version of the state object from the bucket's versioning."
          : `There is no backup beside it. Move it aside, then run \`triton-ops plan\`: what the stage already has in AWS is listed as collisions, and \`triton-ops import\` adopts it.`,
    });
  }
}

/**
 * Reads a stack's state: the local file directly (no Terraform process: this keeps a converged `up`
 * cheap), or `terraform state pull` for remote backends. Undefined when the stack was never applied
 * or has been destroyed.
 */
export async function readStackState(
  rt: Runtime,
  stage: TerraformStage,
  runner?: TerraformRunner,
): Promise<StackState | undefined> {
  let doc: StateFile;
  let modifiedAt: Date | undefined;
  if (rt.config.state.backend === "local") {
    const file = localStatePath(rt.envDir, stage);
    try {
      const [text, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
      if (text.trim() === "") {
        rt.io.info(`${stage}: ${file} is empty: no state yet (a run stopped before Terraform wrote any).`);
        return undefined;
      }
      const backup = `${file}.backup`;
      doc = parseStateText(text, file, (await fileExists(backup)) ? backup : undefined);
      modifiedAt = info.mtime;
    } catch (error) {
      if (isErrno(error, "ENOENT")) return undefined;
      throw error;
    }
  } else {
    const tf = runner ?? (await createTerraformRunner(rt));
    if (!runner) await syncStacks(rt.envDir);
    await prepareStack(rt, tf, stage);
    const { stdout } = await tf.run(["state", "pull"], { cwd: stackDir(rt.envDir, stage) });
    if (stdout.trim() === "") return undefined;
    doc = parseStateText(stdout, `s3://${rt.config.state.bucket}`);
  }
  const parsed = parseState(doc);
  if (parsed.resources.length === 0 && Object.keys(parsed.outputs).length === 0) return undefined;
  return { ...parsed, modifiedAt };
}

export async function readStackOutputs(
  rt: Runtime,
  stage: TerraformStage,
): Promise<Record<string, unknown> | undefined> {
  return (await readStackState(rt, stage))?.outputs;
}

export async function readAllStates(
  rt: Runtime,
  runner?: TerraformRunner,
): Promise<Partial<Record<TerraformStage, StackState>>> {
  let tf = runner;
  if (!tf && rt.config.state.backend !== "local") {
    // Remote state is read through Terraform: one sync of the working copies, then the stacks in parallel.
    tf = await createTerraformRunner(rt);
    await syncStacks(rt.envDir);
  }
  const states = await Promise.all(TERRAFORM_STAGES.map((stage) => readStackState(rt, stage, tf)));
  const out: Partial<Record<TerraformStage, StackState>> = {};
  TERRAFORM_STAGES.forEach((stage, i) => {
    const state = states[i];
    if (state) out[stage] = state;
  });
  return out;
}

export async function readAllOutputs(rt: Runtime): Promise<ProjectOutputs> {
  return outputsOf(await readAllStates(rt));
}

/** Pure: the outputs of the stacks whose state has any. */
export function outputsOf(states: Partial<Record<TerraformStage, StackState>>): ProjectOutputs {
  const outputs: ProjectOutputs = {};
  for (const stage of TERRAFORM_STAGES) {
    const state = states[stage];
    if (state && Object.keys(state.outputs).length > 0) outputs[stage] = state.outputs;
  }
  return outputs;
}

import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import type { ConfigInput } from "../../src/config/schema.js";
import type { ProjectOutputs } from "../../src/stages.js";

/**
 * A project directory with a triton-ops.yaml and local state files holding the given stack outputs,
 * as `up` would leave them: for commands that read the project's state without applying Terraform.
 */
export async function makeProject(
  options: {
    config?: ConfigInput;
    outputs?: ProjectOutputs;
    resources?: Partial<Record<keyof ProjectOutputs, unknown[]>>;
  } = {},
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "triton-ops-project-"));
  const config = { name: "acme", environment: "dev", region: "us-east-1", ...(options.config ?? {}) };
  await writeFile(path.join(dir, "triton-ops.yaml"), stringify(config));
  const stateDir = path.join(dir, ".triton-ops", config.environment ?? "dev", "state");
  await mkdir(stateDir, { recursive: true });
  for (const [stage, outputs] of Object.entries(options.outputs ?? {})) {
    const doc = {
      version: 4,
      serial: 1,
      outputs: Object.fromEntries(
        Object.entries(outputs ?? {}).map(([k, v]) => [
          k,
          { value: v, type: typeof v === "string" ? "string" : "dynamic" },
        ]),
      ),
      resources: options.resources?.[stage as keyof ProjectOutputs] ?? [],
    };
    await writeFile(path.join(stateDir, `${stage}.tfstate`), JSON.stringify(doc));
  }
  return dir;
}

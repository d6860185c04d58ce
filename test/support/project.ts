import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import type { ConfigInput } from "../../src/config/schema.js";
import type { ProjectOutputs } from "../../src/stages.js";

/** Stack outputs as `up` leaves them for the workloads stage and verify/doctor to read. */
export const WORKLOAD_OUTPUTS: ProjectOutputs = {
  ecr: {
    repository_name: "acme-dev-triton",
    repository_url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-dev-triton",
    model_bucket_name: "acme-dev-models",
  },
  eks: {
    cluster_name: "acme-dev",
    cluster_endpoint: "https://x",
    cluster_certificate_authority_data: "Q0E=",
    triton_irsa_role_arn: "arn:aws:iam::123456789012:role/acme-dev-triton-irsa",
    cluster_autoscaler_irsa_role_arn: "arn:aws:iam::123456789012:role/acme-dev-cluster-autoscaler",
  },
  "gpu-nodes": { gpu_node_group_name: "acme-dev-gpu", system_node_group_name: "acme-dev-system" },
};

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

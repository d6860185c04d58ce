import type { VersionVerdict } from "../config/kubernetes-versions.js";
import type { StageName } from "../config/schema.js";
import type { Runtime } from "../runtime.js";

/** Stages whose resources run the configured Kubernetes version. */
const VERSIONED_STAGES: readonly StageName[] = ["eks", "gpu-nodes"];

/** Runs the Kubernetes version gate when the selection touches the cluster or its nodes. */
export async function gateVersionForStages(
  rt: Runtime,
  stages: readonly StageName[],
): Promise<VersionVerdict | undefined> {
  if (!stages.some((s) => VERSIONED_STAGES.includes(s))) return undefined;
  const { gateKubernetesVersion } = await import("../versions/catalog.js");
  return gateKubernetesVersion(rt);
}

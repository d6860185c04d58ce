import type { Finding } from "../finding.js";
import { type ExistingOutsideState, isKnown } from "../snapshot.js";
import type { RuleContext } from "./context.js";

/** The eks stack's state holds a cluster AWS no longer has (deleted by hand): every later plan fails on it. */
export function clusterMissingRule(ctx: RuleContext): Finding[] {
  const eks = ctx.snapshot.stacks?.eks;
  const cluster = ctx.snapshot.aws.cluster;
  const inState = eks?.resources.find((r) => r.type === "aws_eks_cluster");
  if (!inState || !isKnown(cluster) || cluster.exists) return [];
  const name = inState.name ?? inState.id ?? cluster.name;
  const dependents = ctx.snapshot.stacks?.["gpu-nodes"] ? ["gpu-nodes"] : [];
  return [
    {
      code: "tf.cluster-missing",
      severity: "error",
      resource: "Stack/eks",
      summary: `Terraform state holds EKS cluster ${name}, but AWS has no such cluster in ${ctx.region}.`,
      evidence: [
        `state eks: ${inState.address} id=${inState.id ?? "?"}`,
        `aws eks describe-cluster --name ${name}: ResourceNotFoundException`,
        ...(dependents.length
          ? [
              `stack gpu-nodes is applied against it (${ctx.snapshot.stacks?.["gpu-nodes"]?.resources.length} resources)`,
            ]
          : []),
      ],
      cause:
        "The cluster was deleted outside Terraform. Plans of eks and gpu-nodes read it through data sources and fail until state and AWS agree again.",
      fix: [
        "triton-ops up --stage eks,gpu-nodes  # re-creates the cluster from the state's configuration",
        `terraform -chdir=.triton-ops/ENV/eks state rm ${inState.address}  # to forget it instead, then triton-ops down --stage gpu-nodes`,
        "triton-ops import --stage eks  # if a cluster with that name was re-created by hand",
      ],
    },
  ];
}

/** Resources the next plan would create that already exist: `up` would fail with AlreadyExists. */
export function existsOutsideStateRule(ctx: RuleContext): Finding[] {
  const items = ctx.snapshot.aws.existingOutsideState;
  if (!isKnown(items)) return [];
  return items.map((item) =>
    item.notOurs !== undefined
      ? {
          code: "tf.name-taken",
          severity: "error" as const,
          resource: `Stack/${item.stack}`,
          summary: `${item.type} ${item.name} already exists in AWS and is ${item.notOurs}; the next up would fail creating it, and import will not adopt it.`,
          evidence: [`planned create ${item.address} (${item.name}); found in AWS: ${item.notOurs}`],
          cause: "The name the project would use is taken by another project's or environment's resource.",
          fix: [
            "choose another `name` or `environment` in triton-ops.yaml",
            "or ask the resource's owner; triton-ops never imports or deletes what is not the project's",
          ],
        }
      : existsOutsideState(item),
  );
}

function existsOutsideState(item: ExistingOutsideState): Finding {
  return {
    code: "tf.exists-outside-state",
    severity: "error" as const,
    resource: `Stack/${item.stack}`,
    summary: `${item.type} ${item.name} already exists in AWS but not in the ${item.stack} stack's state; the next up would fail creating it.`,
    evidence: [`planned create ${item.address} (${item.name}); found in AWS with import id ${item.importId}`],
    cause: "Left over from an earlier install, a destroyed state, or made by hand with the project's name.",
    fix: [
      `triton-ops import --stage ${item.stack}`,
      `terraform -chdir=.triton-ops/ENV/${item.stack} import ${item.address} ${item.importId}`,
      "or delete it in AWS if it is not wanted (triton-ops orphan-scan lists it)",
    ],
  };
}

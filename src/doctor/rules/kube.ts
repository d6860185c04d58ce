import type { Finding } from "../finding.js";
import { isUnreachable } from "../snapshot.js";
import type { RuleContext } from "./context.js";

const CAUSES: Record<string, string> = {
  "k8s.unreachable":
    "Nothing answers at the API server address: the cluster is gone or private-only, the network path is blocked, or the kubeconfig points at an old endpoint.",
  "k8s.tls":
    "The API server's certificate does not match the kubeconfig's CA (a re-created cluster with the same name, or a proxy in the way).",
  "k8s.unauthorized":
    "The credentials in the kubeconfig were refused (expired token, wrong AWS profile for `aws eks get-token`).",
  "k8s.forbidden":
    "The identity is known but may not list nodes/pods: it has no access entry or RBAC binding in the cluster.",
};

/** An API doctor cannot read is ONE finding; the AWS and Terraform rules still run after it. */
export function kubeAccessRule(ctx: RuleContext): Finding[] {
  const k = ctx.snapshot.kubernetes;
  if (!isUnreachable(k)) return [];
  const { code, server, message, origin, suggestion } = k.unreachable;
  const sandbox = origin === "kube.sandbox" || /sandbox's EKS endpoint/.test(message);
  const cause = sandbox
    ? "The sandbox emulates AWS only; its EKS endpoint is not a Kubernetes API. The AWS and Terraform checks still ran."
    : origin
      ? "There is no usable kubeconfig (no file, or its context or cluster is missing), so the API was never asked."
      : (CAUSES[code] ?? "The Kubernetes API answered with an error.");
  return [
    {
      code,
      severity: "error",
      resource: `Cluster/${ctx.clusterName}`,
      summary: `The Kubernetes API${server ? ` at ${server}` : ""} could not be read; node and pod checks were skipped.`,
      evidence: [message],
      cause: suggestion && !sandbox ? `${cause} ${suggestion}` : cause,
      fix: sandbox
        ? [
            "triton-ops doctor --kubeconfig ~/.kube/config --context CONTEXT  # to check a reachable cluster",
            "triton-ops doctor --preflight  # what up needs, which the sandbox can answer",
          ]
        : [
            ...(origin ? ["triton-ops kubeconfig --write"] : []),
            `aws eks update-kubeconfig --name ${ctx.clusterName} --region ${ctx.region}`,
            "kubectl cluster-info",
            `aws eks describe-cluster --name ${ctx.clusterName} --region ${ctx.region} --query 'cluster.[status,endpoint,resourcesVpcConfig.endpointPublicAccess]'`,
          ],
    },
  ];
}

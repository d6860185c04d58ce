import { daysBetween, monthlyExtendedSurcharge } from "../../config/kubernetes-versions.js";
import type { Finding } from "../finding.js";
import { isKnown } from "../snapshot.js";
import type { RuleContext } from "./context.js";

/** Days before the end of a support phase from which doctor says so. */
export const END_OF_SUPPORT_NOTICE_DAYS = 60;

/** The cluster's Kubernetes version: extended support costs more; the end of a phase is near. */
export function versionSupportRule(ctx: RuleContext): Finding[] {
  const fact = ctx.snapshot.aws.versionSupport;
  if (!isKnown(fact)) return [];
  const resource = `Cluster/${ctx.clusterName}`;
  const upgrade = fact.next ? `triton-ops upgrade --to ${fact.next}` : "triton-ops upgrade";
  const today = ctx.snapshot.collectedAt.slice(0, 10);
  const source =
    fact.source === "aws" ? "EKS DescribeClusterVersions" : `the bundled EKS version table (${fact.asOf})`;
  const findings: Finding[] = [];
  if (fact.phase === "extended") {
    findings.push({
      code: "cluster.version.extended-support",
      severity: "warning",
      resource,
      summary: `Kubernetes ${fact.version} is in EKS extended support: about $${monthlyExtendedSurcharge()}/month more than standard support.`,
      evidence: [
        `${source}: ${fact.version} standard support ended ${fact.endOfStandardSupport ?? "?"}, extended support ends ${fact.endOfExtendedSupport ?? "?"}`,
      ],
      cause:
        "EKS bills a cluster-hour at $0.60 instead of $0.10 once its version is past the end of standard support.",
      fix: [`${upgrade}  # one minor version at a time, with pre-checks`],
    });
  }
  const end =
    fact.phase === "standard"
      ? fact.endOfStandardSupport
      : fact.phase === "extended"
        ? fact.endOfExtendedSupport
        : undefined;
  if (end) {
    const days = daysBetween(today, end);
    if (days >= 0 && days <= END_OF_SUPPORT_NOTICE_DAYS) {
      findings.push({
        code: "cluster.version.end-of-support-soon",
        severity: "warning",
        resource,
        summary: `Kubernetes ${fact.version} leaves EKS ${fact.phase} support in ${days} day(s), on ${end}.`,
        evidence: [`${source}: ${fact.version} ${fact.phase} support ends ${end}`],
        cause:
          fact.phase === "standard"
            ? "After that the cluster is billed the extended-support rate (upgrade policy EXTENDED) or upgraded by EKS itself (STANDARD)."
            : "After that EKS upgrades the control plane by itself, at a time it does not announce; node groups and add-ons stay behind.",
        fix: [`${upgrade}  # before ${end}`],
      });
    }
  }
  return findings;
}

import { describe, expect, it } from "vitest";
import { applyMessage, formatDiagnostic, formatProgressLine, newProgress } from "./progress.js";

describe("apply progress", () => {
  it("folds Terraform's -json hooks into n of m and the current address", () => {
    const p = newProgress(3);
    applyMessage(p, { type: "apply_start", hook: { resource: { addr: "aws_vpc.this" }, action: "create" } });
    expect(formatProgressLine("applying", p, 4200)).toBe("applying 1 of 3: aws_vpc.this (4s)");
    applyMessage(p, { type: "apply_complete", hook: { resource: { addr: "aws_vpc.this" } } });
    applyMessage(p, { type: "apply_start", hook: { resource: { addr: "aws_subnet.private[0]" } } });
    expect(formatProgressLine("applying", p, 75_000)).toBe("applying 2 of 3: aws_subnet.private[0] (1m15s)");
  });

  it("keeps diagnostics with summary, address, location and detail", () => {
    const p = newProgress(1);
    applyMessage(p, {
      type: "diagnostic",
      "@level": "error",
      diagnostic: {
        severity: "error",
        summary:
          "creating EKS Cluster (demo-dev): operation error EKS: CreateCluster, ResourceInUseException",
        detail: "Cluster already exists with name: demo-dev\n\nmore",
        address: "aws_eks_cluster.this",
        range: { filename: "main.tf", start: { line: 12 } },
      },
    });
    expect(p.errors).toHaveLength(1);
    expect(formatDiagnostic(p.errors[0]!)).toBe(
      "creating EKS Cluster (demo-dev): operation error EKS: CreateCluster, ResourceInUseException [aws_eks_cluster.this] (main.tf:12)\n    Cluster already exists with name: demo-dev\n    more",
    );
  });
});

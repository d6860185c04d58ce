import { describe, expect, it } from "vitest";
import { bundledCatalog, versionSupport } from "../../config/kubernetes-versions.js";
import type { ClusterSnapshot } from "../snapshot.js";
import { runRules } from "./index.js";

function snapshotOn(day: string, version: string): ClusterSnapshot {
  return {
    collectedAt: `${day}T12:00:00.000Z`,
    kubernetes: { unreachable: { code: "k8s.unreachable", server: "https://x", message: "not asked" } },
    aws: {
      region: "us-east-1",
      cluster: { name: "acme-dev", exists: true, status: "ACTIVE", version },
      versionSupport: versionSupport(bundledCatalog(), version, day),
    },
    project: { clusterName: "acme-dev", namespaces: [] },
  };
}
const versionFindings = (day: string, version: string) =>
  runRules(snapshotOn(day, version)).filter((f) => f.code.startsWith("cluster.version."));

describe("doctor: the cluster's Kubernetes version", () => {
  it("warns about extended support with the surcharge, and the upgrade as its fix", () => {
    const [f, ...rest] = versionFindings("2026-12-01", "1.33");
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      code: "cluster.version.extended-support",
      severity: "warning",
      resource: "Cluster/acme-dev",
    });
    expect(f?.summary).toContain("about $365/month more");
    expect(f?.evidence[0]).toContain("standard support ended 2026-07-29, extended support ends 2027-07-29");
    expect(f?.fix[0]).toMatch(/^triton-ops upgrade --to 1\.34/);
  });

  it("says when a phase ends within 60 days", () => {
    const [soon] = versionFindings("2026-12-01", "1.34");
    expect(soon).toMatchObject({
      code: "cluster.version.end-of-support-soon",
      summary: "Kubernetes 1.34 leaves EKS standard support in 1 day(s), on 2026-12-02.",
    });
    expect(soon?.fix[0]).toContain("triton-ops upgrade --to 1.35");
    expect(versionFindings("2026-12-01", "1.35")).toEqual([]);
    expect(versionFindings("2027-01-26", "1.35").map((f) => f.code)).toEqual([
      "cluster.version.end-of-support-soon",
    ]);
    expect(versionFindings("2027-01-25", "1.35")).toEqual([]);
  });

  it("an extended version near its final end gets both findings", () => {
    expect(
      versionFindings("2027-02-01", "1.32")
        .map((f) => f.code)
        .sort(),
    ).toEqual(["cluster.version.end-of-support-soon", "cluster.version.extended-support"]);
  });
});

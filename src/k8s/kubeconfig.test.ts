import { describe, expect, it } from "vitest";
import { kubeconfigEntry, mergeKubeconfig } from "./kubeconfig.js";

const access = {
  cluster: "acme-dev",
  region: "eu-west-1",
  endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com",
  certificateAuthorityData: "Q0EK",
  source: "state" as const,
};

describe("kubeconfigEntry", () => {
  it("authenticates through `triton-ops token` for the cluster and region", () => {
    const entry = kubeconfigEntry(access, {
      context: "acme-dev",
      selfCommand: ["/usr/bin/node", "/opt/t/bin.js"],
    });
    expect(entry.users[0].user.exec).toMatchObject({
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "/usr/bin/node",
      args: ["/opt/t/bin.js", "token", "--cluster", "acme-dev", "--region", "eu-west-1"],
    });
    expect(entry.clusters[0].cluster).toEqual({
      server: access.endpoint,
      "certificate-authority-data": "Q0EK",
    });
    expect(entry["current-context"]).toBe("acme-dev");
  });
});

describe("mergeKubeconfig", () => {
  it("keeps other contexts and replaces an entry of the same name", () => {
    const existing = {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: "other", cluster: { server: "https://other" } },
        { name: "acme-dev", cluster: { server: "https://old" } },
      ],
      users: [{ name: "other", user: { token: "x" } }],
      contexts: [{ name: "other", context: { cluster: "other", user: "other" } }],
      "current-context": "other",
      preferences: { colors: true },
    };
    const merged = mergeKubeconfig(
      existing,
      kubeconfigEntry(access, { context: "acme-dev", selfCommand: ["t"] }),
    );
    expect(merged.clusters.map((c: { name: string }) => c.name)).toEqual(["other", "acme-dev"]);
    expect(merged.clusters[1].cluster.server).toBe(access.endpoint);
    expect(merged.users.map((u: { name: string }) => u.name)).toEqual(["other", "acme-dev"]);
    expect(merged.contexts).toHaveLength(2);
    expect(merged["current-context"]).toBe("acme-dev");
    expect(merged.preferences).toEqual({ colors: true });
  });

  it("starts a fresh kubeconfig when there is none", () => {
    const merged = mergeKubeconfig(undefined, kubeconfigEntry(access, { context: "c", selfCommand: ["t"] }));
    expect(merged).toMatchObject({ apiVersion: "v1", kind: "Config", "current-context": "c" });
  });
});

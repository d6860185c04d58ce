import { describe, expect, it } from "vitest";
import { configSchema } from "./config/schema.js";
import { clusterFromExecArgs, projectNames } from "./targets.js";

describe("clusterFromExecArgs", () => {
  it("reads the cluster from aws eks get-token and triton-ops token credentials", () => {
    expect(clusterFromExecArgs(["eks", "get-token", "--cluster-name", "prod", "--region", "eu-west-1"])).toBe(
      "prod",
    );
    expect(clusterFromExecArgs(["token", "--cluster=dev-1"])).toBe("dev-1");
    expect(clusterFromExecArgs(["--region", "x"])).toBeUndefined();
    expect(clusterFromExecArgs(undefined)).toBeUndefined();
  });
});

describe("projectNames", () => {
  const config = configSchema.parse({ name: "acme", environment: "prod", triton: { imageTag: "24.08" } });
  it("predicts names from the config before anything is applied", () => {
    expect(projectNames(config, {})).toMatchObject({
      cluster: "acme-prod",
      gpuNodeGroup: "acme-prod-gpu",
      systemNodeGroup: "acme-prod-system",
      ecrRepository: "acme-prod-triton",
      imageTag: "24.08",
      projectTags: { Project: "acme", Environment: "prod" },
    });
  });
  it("prefers what the stacks' state says", () => {
    const names = projectNames(config, {
      eks: { cluster_name: "renamed" },
      "gpu-nodes": { gpu_node_group_name: "gpu-x", system_node_group_name: "sys-x" },
      ecr: { repository_name: "repo-x" },
    });
    expect([names.cluster, names.gpuNodeGroup, names.systemNodeGroup, names.ecrRepository]).toEqual([
      "renamed",
      "gpu-x",
      "sys-x",
      "repo-x",
    ]);
  });
  it("has no system node group when the config turns it off", () => {
    const off = configSchema.parse({ systemNodes: { enabled: false } });
    expect(projectNames(off, {}).systemNodeGroup).toBeUndefined();
  });
});

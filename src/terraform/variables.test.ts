import { describe, expect, it } from "vitest";
import { configSchema } from "../config/schema.js";
import { UserError } from "../errors.js";
import type { ProjectOutputs } from "../stages.js";
import { inputStages, stackVariables, wiresConsistentWithGraph } from "./variables.js";

const config = configSchema.parse({ name: "acme", environment: "dev", sandbox: true });

const applied: ProjectOutputs = {
  vpc: { vpc_id: "vpc-1", private_subnet_ids: ["subnet-a", "subnet-b"], public_subnet_ids: ["subnet-c"] },
  iam: {
    cluster_role_arn: "arn:aws:iam::123456789012:role/acme-dev-eks-cluster",
    node_role_arn: "arn:aws:iam::123456789012:role/acme-dev-eks-node",
    github_actions_role_arn: null,
  },
  ecr: { model_bucket_arn: "arn:aws:s3:::acme-dev-models-123456789012" },
};

describe("stackVariables", () => {
  it("wires the eks stack from the config and the vpc, iam and ecr outputs", () => {
    const vars = stackVariables("eks", config, applied);
    expect(vars).toMatchObject({
      name_prefix: "acme",
      environment: "dev",
      vpc_id: "vpc-1",
      private_subnet_ids: ["subnet-a", "subnet-b"],
      cluster_role_arn: "arn:aws:iam::123456789012:role/acme-dev-eks-cluster",
      model_bucket_arn: "arn:aws:s3:::acme-dev-models-123456789012",
      // The CI role is optional: iam applied without GitHub gives an empty string, not a missing input.
      ci_role_arn: "",
      // The sandbox turns off what the emulator lacks.
      enable_access_entries: false,
      enable_addons: false,
    });
  });

  it("keeps access entries and add-ons on for real AWS", () => {
    const real = configSchema.parse({ name: "acme", environment: "dev" });
    expect(stackVariables("eks", real, applied)).toMatchObject({
      enable_access_entries: true,
      enable_addons: true,
    });
  });

  it("names the stage to run first when an input is missing", () => {
    const noVpc: ProjectOutputs = { iam: applied.iam!, ecr: applied.ecr! };
    expect(() => stackVariables("eks", config, noVpc)).toThrow(UserError);
    expect(() => stackVariables("eks", config, noVpc)).toThrow(/needs the outputs of vpc/);
    const thrown = (() => {
      try {
        stackVariables("gpu-nodes", config, applied);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(UserError);
    expect((thrown as UserError).suggestion).toMatch(/up --stage eks/);
  });

  it("reads only stages the graph says a stack needs", () => {
    expect(wiresConsistentWithGraph()).toBe(true);
    expect(inputStages("vpc")).toEqual([]);
    expect(new Set(inputStages("gpu-nodes"))).toEqual(new Set(["eks", "iam", "vpc"]));
  });
});

import os from "node:os";
import { describe, expect, it } from "vitest";
import { makeProject } from "../support/project.js";
import { runCli } from "../support/run-cli.js";

// Terraform state resources, as `up` leaves them (mode managed, attributes as the provider writes them).
const managed = (type: string, name: string, attributes: Record<string, unknown>) => ({
  mode: "managed",
  type,
  name,
  instances: [{ attributes: { id: `${name}-id`, ...attributes } }],
});

describe("status: the run rate of what is applied, by the one price model", () => {
  const env = { PATH: process.env.PATH, HOME: os.tmpdir(), TRITON_OPS_TODAY: "2026-12-01" };

  it("prices the applied stages' state, names what it cannot price, and says it is an estimate", async () => {
    const cwd = await makeProject({
      outputs: { vpc: { vpc_id: "vpc-1" }, "gpu-nodes": { gpu_node_group_name: "acme-dev-gpu" } },
      resources: {
        vpc: [managed("aws_nat_gateway", "this", {}), managed("aws_eip", "nat", {})],
        "gpu-nodes": [
          managed("aws_eks_node_group", "gpu", {
            instance_types: ["p9.mega"],
            capacity_type: "ON_DEMAND",
            scaling_config: [{ min_size: 1, desired_size: 1, max_size: 2 }],
          }),
        ],
      },
    });
    const json = await runCli("status --json", { cwd, env });
    expect(json.code, json.stderr).toBe(0);
    const rate = JSON.parse(json.stdout).runRate;
    expect(rate.estimate).toBe(true);
    expect(rate.stages.find((s: { stage: string }) => s.stage === "vpc").monthly.expected).toBe(41);
    expect(rate.unknown).toEqual(["gpu-nodes: 1-2 x p9.mega, 1 desired (no price for p9.mega in us-east-1)"]);
    // The unknown instance type is left out, not priced at zero: the total is the vpc (and root volumes).
    expect(rate.monthly.expected).toBeGreaterThanOrEqual(41);
    expect(rate.source).toBe("bundled us-east-1 list prices of 2026-11-20");
    const text = await runCli("status", { cwd, env });
    expect(text.stdout).toContain("Run rate: about $");
    expect(text.stdout).toContain("not priced (left out): gpu-nodes: 1-2 x p9.mega");
  });

  it("has no run rate before anything is applied", async () => {
    const cwd = await makeProject({});
    const json = await runCli("status --json", { cwd, env });
    expect(JSON.parse(json.stdout).runRate).toBeNull();
  });
});

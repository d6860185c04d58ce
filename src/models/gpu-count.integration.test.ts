import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Moto, startTestMoto } from "../../test/support/moto.js";
import { describeGpuCounts } from "../aws/ec2.js";
import { bundledGpuTypes, GPU_TABLE_DATE, gpusOf, resolveGpusPerNode } from "./gpu-count.js";

/** EC2 DescribeInstanceTypes through the real SDK against the emulator, whose catalog is EC2's own data. */
describe("GPUs per node from EC2 DescribeInstanceTypes", () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startTestMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("counts GPUs per type and leaves out a type EC2 does not know", async () => {
    const aws = { region: "us-east-1", env: moto.env, sandbox: false };
    const answer = await describeGpuCounts(aws, ["g5.12xlarge", "g4dn.xlarge", "g9.xlarge", "m5.large"]);
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(Object.fromEntries(answer.counts)).toEqual({ "g5.12xlarge": 4, "g4dn.xlarge": 1, "m5.large": 0 });
    const resolved = await resolveGpusPerNode(["g5.12xlarge", "g5.48xlarge"], {
      live: (types) => describeGpuCounts(aws, types),
      today: GPU_TABLE_DATE,
    });
    expect(resolved).toMatchObject({ count: 4, notices: [] });
    expect(resolved.source).toContain("EC2 DescribeInstanceTypes");
  });

  it("the bundled table agrees with EC2's catalog wherever the catalog has the type", async () => {
    const aws = { region: "us-east-1", env: moto.env, sandbox: false };
    const types = bundledGpuTypes();
    const answer = await describeGpuCounts(aws, types);
    if (!answer.ok) throw new Error(answer.reason);
    const known = types.filter((t) => answer.counts.has(t));
    expect(known.length).toBeGreaterThan(types.length / 2);
    expect(Object.fromEntries(known.map((t) => [t, answer.counts.get(t)]))).toEqual(
      Object.fromEntries(known.map((t) => [t, gpusOf(t)])),
    );
  });

  it("an unreachable EC2 is a reason, not a throw", async () => {
    const env = { ...moto.env, AWS_ENDPOINT_URL: "http://127.0.0.1:9", AWS_MAX_ATTEMPTS: "1" };
    const answer = await describeGpuCounts({ region: "us-east-1", env, sandbox: false }, ["g5.xlarge"]);
    expect(answer).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/DescribeInstanceTypes failed/),
    });
  });
});

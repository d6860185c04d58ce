import { describe, expect, it } from "vitest";
import { GPU_TABLE_DATE, type LiveGpuCounts, resolveGpusPerNode } from "./gpu-count.js";

const liveOf =
  (counts: Record<string, number>): LiveGpuCounts =>
  async () => ({ ok: true, counts: new Map(Object.entries(counts)) });

describe("GPUs per node for lint", () => {
  it("takes EC2's answer when it covers every type: the fewest GPUs of any type the group may launch", async () => {
    const answer = await resolveGpusPerNode(["g5.12xlarge", "g6.48xlarge"], {
      live: liveOf({ "g5.12xlarge": 4, "g6.48xlarge": 8 }),
      today: GPU_TABLE_DATE,
    });
    expect(answer).toMatchObject({ count: 4, notices: [] });
    expect(answer.source).toContain("EC2 DescribeInstanceTypes");
  });

  it("knows a size the bundled table does not, when EC2 does", async () => {
    const live = await resolveGpusPerNode(["g7.2xlarge"], {
      live: liveOf({ "g7.2xlarge": 2 }),
      today: "2027-01-01",
    });
    expect(live.count).toBe(2);
    const offline = await resolveGpusPerNode(["g7.2xlarge"], { today: "2027-01-01" });
    expect(offline.count).toBeUndefined();
    expect(offline.notices.join("\n")).toMatch(/not in the bundled table.*--gpus-per-node/);
  });

  it("falls back to the bundled table when EC2 fails or does not know a type, and says why", async () => {
    const failed = await resolveGpusPerNode(["g5.xlarge"], {
      live: async () => ({ ok: false, reason: "EC2 DescribeInstanceTypes failed: AccessDenied" }),
      today: GPU_TABLE_DATE,
    });
    expect(failed).toMatchObject({ count: 1, fallbackReason: expect.stringMatching(/AccessDenied/) });
    expect(failed.source).toContain(`table as of ${GPU_TABLE_DATE}`);
    const unknown = await resolveGpusPerNode(["g5.xlarge", "g5.nope"], {
      live: liveOf({ "g5.xlarge": 1 }),
      today: GPU_TABLE_DATE,
    });
    expect(unknown.fallbackReason).toBe("EC2 does not know g5.nope");
  });

  it("says when the bundled table is old, and only then", async () => {
    expect((await resolveGpusPerNode(["g5.xlarge"], { today: "2027-03-01" })).notices).toEqual([]);
    const old = await resolveGpusPerNode(["g5.xlarge"], { today: "2027-06-01" });
    expect(old.count).toBe(1);
    expect(old.notices).toEqual([expect.stringMatching(/bundled table .* from 2026-12-01 \(182 days old\)/)]);
  });

  it("a type EC2 says has no GPU gives no count and a notice, not zero", async () => {
    const answer = await resolveGpusPerNode(["m5.large"], {
      live: liveOf({ "m5.large": 0 }),
      today: GPU_TABLE_DATE,
    });
    expect(answer.count).toBeUndefined();
    expect(answer.notices[0]).toMatch(/carry no GPU/);
  });
});

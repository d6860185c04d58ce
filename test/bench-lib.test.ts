import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

// bench/ is plain ESM JavaScript, outside the typed build: its helpers are typed here as far as tested.
interface Timed {
  ms: number;
  peakMb?: number;
  cpuMs?: number;
}
interface Compared {
  ratio: number;
  ok: boolean;
  subjectMs: number;
  referenceMs: number;
  subjectRunsMs: number[];
  referenceRunsMs: number[];
  subjectCpuMs?: number;
  referenceCpuMs?: number;
  cpuRatio?: number;
  peakMb?: number;
}
interface BenchLib {
  compare(options: {
    name: string;
    subject: (i: number) => Promise<Timed>;
    reference: (i: number) => Promise<Timed>;
    repetitions: number;
    target: number;
    warmup?: boolean;
  }): Promise<Compared>;
  timeCommand(command: string, args: string[], options?: { measureMemory?: boolean }): Promise<Timed>;
}
const libPath: string = "../bench/lib.mjs";
const lib = (await import(libPath)) as BenchLib;

describe("bench/lib compare", () => {
  it("alternates the two sides, keeps every run in order, and compares CPU where both sides measured it", async () => {
    const calls: string[] = [];
    const subjectMs = [100, 300, 200];
    const referenceMs = [200, 400, 250];
    const result = await lib.compare({
      name: "t",
      subject: async (i) => {
        calls.push(`s${i}`);
        return { ms: subjectMs[i] ?? 0, cpuMs: 50 + i, peakMb: 10 + i };
      },
      reference: async (i) => {
        calls.push(`r${i}`);
        return { ms: referenceMs[i] ?? 0, cpuMs: 100 };
      },
      repetitions: 3,
      target: 1,
      warmup: false,
    });
    expect(calls).toEqual(["s0", "r0", "r1", "s1", "s2", "r2"]);
    expect(result.subjectRunsMs).toEqual(subjectMs);
    expect(result.referenceRunsMs).toEqual(referenceMs);
    expect(result.subjectMs).toBe(200);
    expect(result.referenceMs).toBe(250);
    expect(result.ratio).toBe(0.8);
    expect(result.ok).toBe(true);
    expect(result.peakMb).toBe(12);
    expect(result.subjectCpuMs).toBe(51);
    expect(result.referenceCpuMs).toBe(100);
    expect(result.cpuRatio).toBe(0.51);
  });

  it("reports no CPU comparison when one side did not measure it", async () => {
    const result = await lib.compare({
      name: "t",
      subject: async () => ({ ms: 10, cpuMs: 5 }),
      reference: async () => ({ ms: 5 }),
      repetitions: 1,
      target: 1,
      warmup: false,
    });
    expect(result.ok).toBe(false);
    expect(result.cpuRatio).toBeUndefined();
  });
});

describe.skipIf(!existsSync("/usr/bin/time"))("bench/lib timeCommand", () => {
  it("reads the child's CPU time and peak RSS through /usr/bin/time", async () => {
    // Spins about 300 ms of CPU in a child of the timed process: children's CPU counts, as aws s3 sync's
    // Python does under its launcher.
    const spin = "const end = Date.now() + 300; while (Date.now() < end);";
    const child = `require('node:child_process').execFileSync(process.execPath, ['-e', ${JSON.stringify(spin)}])`;
    const timed = await lib.timeCommand(process.execPath, ["-e", child], { measureMemory: true });
    expect(timed.cpuMs).toBeGreaterThanOrEqual(250);
    expect(timed.cpuMs).toBeLessThanOrEqual(timed.ms * 2);
    expect(timed.peakMb).toBeGreaterThan(10);
  });
});

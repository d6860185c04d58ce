// withSteadyYoungGeneration in a Node process of its own (a V8 flag is process-wide, and vitest's worker
// has grown its young generation already): the same churn, which keeps a few MB alive across scavenges as
// in-flight uploads do, with the young generation left to grow and held.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { userTunesYoungGeneration } from "./heap.js";

const built = pathToFileURL(
  path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "dist", "io", "heap.js"),
).href;

const CHURN = `
const { withSteadyYoungGeneration, youngGenerationBytes } = await import(${JSON.stringify(built)});
let max = 0;
const churn = async () => {
  const live = [];
  for (let i = 0; i < 40000; i++) {
    live.push({ i, body: "x".repeat(2000) + i, parts: new Array(50).fill(i) });
    if (live.length > 3000) live.shift();
    if (i % 50 === 0) {
      await new Promise((r) => setImmediate(r));
      max = Math.max(max, youngGenerationBytes());
    }
  }
};
if (process.argv[1] === "steady") await withSteadyYoungGeneration(churn);
else await churn();
console.log(JSON.stringify({ maxMb: max / 1048576 }));
`;

async function churnMb(mode: "steady" | "free", env: NodeJS.ProcessEnv = {}): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", CHURN, mode], {
    env: { PATH: process.env.PATH, ...env },
  });
  return (JSON.parse(stdout) as { maxMb: number }).maxMb;
}

describe("withSteadyYoungGeneration", () => {
  it("keeps the young generation near its starting size where V8 would grow it", async () => {
    const [free, steady] = await Promise.all([churnMb("free"), churnMb("steady")]);
    expect(free).toBeGreaterThanOrEqual(16);
    expect(steady).toBeLessThanOrEqual(4);
  });

  it("leaves the young generation to the user who tunes it through NODE_OPTIONS", async () => {
    const steady = await churnMb("steady", { NODE_OPTIONS: "--max-semi-space-size=16" });
    expect(steady).toBeGreaterThanOrEqual(16);
  });

  it("recognises the young-generation options in either spelling", () => {
    expect(userTunesYoungGeneration(["--max-semi-space-size=8"], "")).toBe(true);
    expect(userTunesYoungGeneration([], "--enable-source-maps --semi_space_growth_factor=3")).toBe(true);
    expect(userTunesYoungGeneration(["--enable-source-maps"], "--max-old-space-size=4096")).toBe(false);
  });
});

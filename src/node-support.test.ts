import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { activeLts, endOfLifeMessage, NODE_SCHEDULE_AS_OF, nodeSupportNotice } from "./node-support.js";

const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

describe("Node.js release schedule", () => {
  it("knows the active LTS on a given day", () => {
    expect(activeLts(at("2026-12-01"))).toBe(26);
    expect(activeLts(at("2026-10-27"))).toBe(24);
    expect(activeLts(at("2025-01-01"))).toBe(22);
  });

  it("says when a line is past its end of life, with the date and the line to move to", () => {
    expect(endOfLifeMessage("20.20.0", at("2026-12-01"))).toBe(
      "triton-ops: Node.js 20 reached end of life on 2026-04-30 and gets no security fixes; move to Node.js 26, the active LTS.",
    );
    expect(endOfLifeMessage("20.20.0", at("2026-04-29"))).toBeUndefined();
    expect(endOfLifeMessage("22.12.0", at("2026-12-01"))).toBeUndefined();
    expect(endOfLifeMessage("26.12.1", at("2026-12-01"))).toBeUndefined();
    expect(endOfLifeMessage("16.20.2", at("2026-12-01"))).toMatch(
      /^triton-ops: Node\.js 16 reached end of life and gets no security fixes; move to Node\.js 26/,
    );
  });

  it("says the schedule itself is old once it is", () => {
    expect(endOfLifeMessage("20.1.0", at("2027-09-01"))).toContain(
      `(release schedule as of ${NODE_SCHEDULE_AS_OF})`,
    );
    expect(endOfLifeMessage("20.1.0", at("2027-01-01"))).not.toContain("release schedule as of");
  });

  it("the Node.js that CI tests beside 20 is the active LTS of the schedule's date", () => {
    const script = readFileSync(path.join(__dirname, "..", "scripts", "lib", "node-lts.sh"), "utf8");
    const pinned = /^NODE_LTS_VERSION=(\d+)\.\d+\.\d+$/m.exec(script)?.[1];
    expect(Number(pinned)).toBe(activeLts(at(NODE_SCHEDULE_AS_OF)));
  });
});

describe("nodeSupportNotice", () => {
  const base = () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), "node-notice-"));
    return { version: "20.20.0", argv: ["status"], env: { XDG_CACHE_HOME: cache, HOME: cache }, cache };
  };

  it("shows once a day, remembering the day in the cache directory", () => {
    const b = base();
    expect(nodeSupportNotice({ ...b, now: at("2026-12-01") })).toMatch(/end of life/);
    expect(readFileSync(path.join(b.cache, "triton-ops", "node-eol-notice"), "utf8").trim()).toBe(
      "2026-12-01",
    );
    expect(nodeSupportNotice({ ...b, now: at("2026-12-01") })).toBeUndefined();
    expect(nodeSupportNotice({ ...b, now: at("2026-12-02") })).toMatch(/end of life/);
  });

  it("never with --json, never in CI, never on a supported Node", () => {
    const b = base();
    expect(nodeSupportNotice({ ...b, argv: ["verify", "--json"], now: at("2026-12-01") })).toBeUndefined();
    expect(nodeSupportNotice({ ...b, env: { ...b.env, CI: "true" }, now: at("2026-12-01") })).toBeUndefined();
    expect(nodeSupportNotice({ ...b, version: "26.12.1", now: at("2026-12-01") })).toBeUndefined();
    // none of those used up the day's notice
    expect(nodeSupportNotice({ ...b, now: at("2026-12-01") })).toMatch(/end of life/);
  });

  it("a cache it cannot write only means the line may show again", () => {
    const b = base();
    mkdirSync(path.join(b.cache, "ro"));
    writeFileSync(path.join(b.cache, "ro", "triton-ops"), "a file, not a directory");
    const env = { XDG_CACHE_HOME: path.join(b.cache, "ro") };
    expect(nodeSupportNotice({ ...b, env, now: at("2026-12-01") })).toMatch(/end of life/);
    expect(nodeSupportNotice({ ...b, env, now: at("2026-12-01") })).toMatch(/end of life/);
  });
});

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFileAtomic, writeFileAtomicSync } from "./fs-util.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "fs-util-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const variants = {
  async: writeFileAtomic,
  sync: async (...args: Parameters<typeof writeFileAtomicSync>) => writeFileAtomicSync(...args),
};

describe.each(Object.entries(variants))("writeFileAtomic (%s)", (_, write) => {
  it("replaces the file whole and leaves nothing aside", async () => {
    const file = path.join(dir, "a", "b", "state.json");
    await write(file, "first");
    await write(file, "second");
    expect(readFileSync(file, "utf8")).toBe("second");
    expect(readdirSync(path.dirname(file))).toEqual(["state.json"]);
  });

  it("makes a secret file 0600 and its new directories with the mode asked", async () => {
    const file = path.join(dir, "cache", "entry");
    await write(file, new Uint8Array([1, 2, 3]), { secret: true, dirMode: 0o700 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect([...readFileSync(file)]).toEqual([1, 2, 3]);
  });

  it("leaves what was there, and no temp file, when the rename is refused", async () => {
    // A non-empty directory where the file should go: the temp file is written, then rename(2) refuses.
    const target = path.join(dir, "taken");
    mkdirSync(target);
    writeFileSync(path.join(target, "inside"), "old");
    await expect(write(target, "new")).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["taken"]);
    expect(readFileSync(path.join(target, "inside"), "utf8")).toBe("old");
  });
});

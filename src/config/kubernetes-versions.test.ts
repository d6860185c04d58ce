import { describe, expect, it } from "vitest";
import {
  BUNDLED_AS_OF,
  BUNDLED_VERSIONS,
  bundledCatalog,
  compareMinor,
  defaultVersion,
  judgeVersion,
  monthlyExtendedSurcharge,
  phaseOn,
  STALE_AFTER_DAYS,
  staleNotice,
  type VersionCatalog,
} from "./kubernetes-versions.js";

const info = (version: string) => BUNDLED_VERSIONS.find((v) => v.version === version)!;

describe("the bundled EKS version table", () => {
  it("puts each version in the phase the EKS calendar gives it on the table's date", () => {
    const phases = Object.fromEntries(BUNDLED_VERSIONS.map((v) => [v.version, phaseOn(v, BUNDLED_AS_OF)]));
    expect(phases).toMatchObject({
      "1.35": "standard",
      "1.34": "standard",
      "1.33": "extended",
      "1.32": "extended",
      "1.31": "unsupported",
      "1.28": "unsupported",
    });
  });

  it("changes phase at the start of the end day (UTC), when EKS starts billing", () => {
    expect(phaseOn(info("1.34"), "2026-12-01")).toBe("standard");
    expect(phaseOn(info("1.34"), "2026-12-02")).toBe("extended");
    expect(phaseOn(info("1.31"), "2026-11-25")).toBe("extended");
    expect(phaseOn(info("1.31"), "2026-11-26")).toBe("unsupported");
  });

  it("keeps every version 14 months in standard and 12 more in extended support", () => {
    for (const v of BUNDLED_VERSIONS) {
      expect(v.releaseDate < v.endOfStandardSupport).toBe(true);
      const std = new Date(v.endOfStandardSupport);
      const ext = new Date(v.endOfExtendedSupport);
      expect(ext.getUTCFullYear() - std.getUTCFullYear()).toBe(1);
      expect(ext.getUTCMonth()).toBe(std.getUTCMonth());
    }
  });

  it("defaults new clusters to the newest version in standard support that day", () => {
    expect(defaultVersion(bundledCatalog(), "2026-12-01")).toBe("1.35");
    expect(defaultVersion(bundledCatalog(), "2025-06-01")).toBe("1.35");
    // Once the table is old enough that nothing in it is standard, the newest it knows is offered.
    expect(defaultVersion(bundledCatalog(), "2027-06-01")).toBe("1.35");
  });

  it("prefers the version AWS marks default when the list is live", () => {
    const live: VersionCatalog = {
      source: "aws",
      asOf: "2026-12-01",
      versions: [
        { ...info("1.35"), status: "standard" },
        { ...info("1.34"), status: "standard", isDefault: true },
      ],
    };
    expect(defaultVersion(live, "2026-12-01")).toBe("1.34");
  });

  it("says when the table is older than 120 days, and not before", () => {
    const catalog = bundledCatalog();
    expect(staleNotice(catalog, "2027-03-31")).toBeUndefined(); // 120 days
    expect(staleNotice(catalog, "2027-04-01")).toContain(
      `from ${BUNDLED_AS_OF} (${STALE_AFTER_DAYS + 1} days old)`,
    );
    expect(staleNotice({ ...catalog, source: "aws" }, "2030-01-01")).toBeUndefined();
  });
});

describe("judgeVersion", () => {
  const catalog = bundledCatalog();

  it("passes a version in standard support silently", () => {
    const v = judgeVersion(catalog, "1.35", "2026-12-01");
    expect(v).toMatchObject({ phase: "standard", refused: false });
    expect(v.message).toBeUndefined();
  });

  it("warns about extended support with its monthly surcharge", () => {
    const v = judgeVersion(catalog, "1.33", "2026-12-01");
    expect(v).toMatchObject({ phase: "extended", refused: false, monthlySurcharge: 365 });
    expect(monthlyExtendedSurcharge()).toBe(365);
    expect(v.message).toContain("$0.60 per cluster-hour, about $365/month more");
    expect(v.message).toContain("$438 instead of $73");
  });

  it("refuses a version past extended support, and one older than the table", () => {
    expect(judgeVersion(catalog, "1.31", "2026-12-01")).toMatchObject({
      phase: "unsupported",
      refused: true,
    });
    const ancient = judgeVersion(catalog, "1.27", "2026-12-01");
    expect(ancient.refused).toBe(true);
    expect(ancient.message).toContain("older than 1.28");
  });

  it("calls a version newer than the table unknown, not refused", () => {
    expect(judgeVersion(catalog, "1.37", "2026-12-01")).toMatchObject({ phase: "unknown", refused: false });
  });

  it("takes AWS's status over the dates when live", () => {
    const live: VersionCatalog = {
      source: "aws",
      asOf: "2026-12-01",
      versions: [{ ...info("1.31"), status: "extended" }],
    };
    expect(judgeVersion(live, "1.31", "2026-12-01").phase).toBe("extended");
  });

  it("orders minors numerically", () => {
    expect(compareMinor("1.9", "1.10")).toBeLessThan(0);
    expect(compareMinor("1.35", "1.35")).toBe(0);
  });
});

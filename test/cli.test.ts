import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../src/cli.js";
import { MENU_ITEMS } from "../src/commands/menu.js";
import { runCli } from "./support/run-cli.js";

describe("the CLI shell", () => {
  it("prints its version", async () => {
    const run = await runCli("--version");
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("lists commands in --help", async () => {
    const run = await runCli("--help");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("sandbox");
  });

  it("answers an unknown command with one line and exit 2", async () => {
    const run = await runCli("frobnicate");
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")[0]).toMatch(/unknown command 'frobnicate'/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints usage and exits 2 with no arguments and no terminal", async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Usage: triton-ops");
  });

  it("opens a menu in a terminal and runs the chosen command as its subcommand would", async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), "menu-"));
    const run = await runCli([], {
      cwd,
      tty: true,
      answers: [{ question: /What do you want to do/, answer: "status" }],
    });
    expect(run.asked).toEqual(["What do you want to do?"]);
    expect(run.code, run.stderr).toBe(0);
    const direct = await runCli("status", { cwd });
    expect(stripVTControlCharacters(run.stdout)).toBe(direct.stdout);
    expect(run.stdout).toMatch(/STAGE\s+STATE/);
  });

  it("offers only commands that exist", () => {
    const program = buildProgram({
      cwd: process.cwd(),
      env: {},
      stdout: { write: () => true },
      stderr: { write: () => true },
      stdinIsTTY: false,
      stderrIsTTY: false,
      interrupts: undefined as never,
    });
    const names = new Set(program.commands.map((c) => c.name()));
    for (const item of MENU_ITEMS) expect(names.has(item.args[0]!), item.name).toBe(true);
  });
});

import path from "node:path";
import { isCi } from "./io/env.js";
import { cacheRoot } from "./paths.js";

// Every command starts here, so node:fs is taken as the CommonJS object: an ESM `import` of a built-in
// runs all of its lazy getters (fs.promises, the streams, the watchers), about 6 ms of Node 26's 55 ms start.
const { mkdirSync, readFileSync, writeFileSync } = process.getBuiltinModule("node:fs");

/**
 * Node.js release lines, from the Node.js release schedule (github.com/nodejs/Release, schedule.json).
 * A dated fact: there is no live source worth a network call at start-up, so the table carries its date
 * and the notice says when the table itself is old.
 */
export const NODE_SCHEDULE_AS_OF = "2026-12-01";
const STALE_AFTER_DAYS = 180;

interface ReleaseLine {
  major: number;
  /** First day as the active LTS. */
  lts: string;
  /** End of life: no more fixes, security ones included. */
  eol: string;
}

const LINES: readonly ReleaseLine[] = [
  { major: 18, lts: "2022-10-25", eol: "2025-04-30" },
  { major: 20, lts: "2023-10-24", eol: "2026-04-30" },
  { major: 22, lts: "2024-10-29", eol: "2027-04-30" },
  { major: 24, lts: "2025-10-28", eol: "2028-04-30" },
  { major: 26, lts: "2026-10-28", eol: "2029-04-30" },
];

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

/** The newest LTS line that has started and not ended on `now`. */
export function activeLts(now: Date): number | undefined {
  const t = now.getTime();
  const live = LINES.filter((l) => day(l.lts) <= t && t < day(l.eol));
  return live.at(-1)?.major;
}

/** One line when `version` (e.g. "20.19.5") is past its end of life on `now`; undefined otherwise. */
export function endOfLifeMessage(version: string, now: Date): string | undefined {
  const major = Number.parseInt(version, 10);
  const line = LINES.find((l) => l.major === major);
  const older = line === undefined && major < (LINES[0]?.major ?? 0);
  if (!older && (line === undefined || now.getTime() < day(line.eol))) return undefined;
  const target = activeLts(now);
  const since = line ? ` on ${line.eol}` : "";
  const move = target ? `; move to Node.js ${target}, the active LTS` : "; move to a supported LTS";
  const ageDays = (now.getTime() - day(NODE_SCHEDULE_AS_OF)) / 86_400_000;
  const stale = ageDays > STALE_AFTER_DAYS ? ` (release schedule as of ${NODE_SCHEDULE_AS_OF})` : "";
  return `triton-ops: Node.js ${major} reached end of life${since} and gets no security fixes${move}${stale}.`;
}

export interface NoticeInput {
  version: string;
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  now: Date;
}

/**
 * The end-of-life line to print on stderr, at most once a day: the day it was last shown is kept in the
 * cache directory. Never with --json (a script reads that run), never in CI (a log nobody acts on).
 * Any trouble with the cache file only means the line may show again; it never fails the command.
 */
export function nodeSupportNotice(input: NoticeInput): string | undefined {
  if (input.argv.includes("--json") || isCi(input.env)) return undefined;
  const message = endOfLifeMessage(input.version, input.now);
  if (!message) return undefined;
  const today = input.now.toISOString().slice(0, 10);
  const root = cacheRoot(input.env);
  if (!root) return message;
  const stamp = path.join(root, "node-eol-notice");
  try {
    if (readFileSync(stamp, "utf8").trim() === today) return undefined;
  } catch {
    // not shown yet
  }
  try {
    mkdirSync(root, { recursive: true });
    writeFileSync(stamp, `${today}\n`);
  } catch {
    // a read-only cache: show it anyway
  }
  return message;
}

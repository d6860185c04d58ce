import type { Io } from "../io/io.js";
import { formatElapsed } from "../terraform/progress.js";
import type { StageOutcome, StageStatus } from "./run-stages.js";

const STATUS_STYLE: Record<StageStatus, "green" | "red" | "yellow" | "dim"> = {
  applied: "green",
  unchanged: "dim",
  destroyed: "green",
  skipped: "yellow",
  declined: "yellow",
  blocked: "yellow",
  failed: "red",
  interrupted: "red",
};

/** Pure formatter of a run's outcome table. */
export function formatOutcomes(outcomes: readonly StageOutcome[], io: Pick<Io, "table" | "style">): string {
  const rows = outcomes.map((o) => [
    o.stage,
    io.style[STATUS_STYLE[o.status]](o.status),
    o.counts ? `+${o.counts.add} ~${o.counts.change} -${o.counts.destroy}` : "",
    o.durationMs > 0 ? formatElapsed(o.durationMs) : "",
    o.message ?? "",
  ]);
  const table = io.table(
    [
      { header: "STAGE" },
      { header: "RESULT" },
      { header: "CHANGES" },
      { header: "TIME", align: "right" },
      { header: "NOTE" },
    ],
    rows,
  );
  const notes = outcomes.flatMap((o) => {
    if (o.status !== "failed") return [];
    return [
      ...(o.hint ? [`${o.stage}: ${o.hint}`] : []),
      ...(o.logFile && !o.hint?.includes(o.logFile) ? [`Log for ${o.stage}: ${o.logFile}`] : []),
    ];
  });
  return [table, ...notes].join("\n");
}

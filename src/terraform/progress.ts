import type { TerraformJsonMessage } from "./runner.js";

/** Live state of one Terraform apply/destroy, folded from its -json messages. */
export interface ApplyProgress {
  total: number;
  done: number;
  current: string | undefined;
  errors: TerraformDiagnostic[];
  warnings: TerraformDiagnostic[];
}

export interface TerraformDiagnostic {
  severity: "error" | "warning";
  summary: string;
  detail: string;
  address: string | undefined;
  /** file:line when Terraform points into configuration. */
  location: string | undefined;
}

export function newProgress(total: number): ApplyProgress {
  return { total, done: 0, current: undefined, errors: [], warnings: [] };
}

interface HookMessage {
  hook?: { resource?: { addr?: string }; action?: string };
  diagnostic?: {
    severity?: string;
    summary?: string;
    detail?: string;
    address?: string;
    range?: { filename?: string; start?: { line?: number } };
  };
  changes?: { add?: number; change?: number; remove?: number; operation?: string };
}

/** Folds one message in; returns the same object for convenience. */
export function applyMessage(progress: ApplyProgress, message: TerraformJsonMessage): ApplyProgress {
  const m = message as TerraformJsonMessage & HookMessage;
  switch (m.type) {
    case "apply_start":
    case "apply_progress":
      progress.current = m.hook?.resource?.addr ?? progress.current;
      break;
    case "apply_complete":
    case "apply_errored":
      progress.done += 1;
      if (progress.done > progress.total) progress.total = progress.done;
      break;
    case "diagnostic": {
      const d = m.diagnostic;
      if (!d) break;
      const diagnostic: TerraformDiagnostic = {
        severity: d.severity === "error" ? "error" : "warning",
        summary: d.summary ?? String(m["@message"] ?? ""),
        detail: (d.detail ?? "").trim(),
        address: d.address,
        location: d.range?.filename ? `${d.range.filename}:${d.range.start?.line ?? 0}` : undefined,
      };
      (diagnostic.severity === "error" ? progress.errors : progress.warnings).push(diagnostic);
      break;
    }
    default:
      break;
  }
  return progress;
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** "resource 3 of 12: aws_subnet.private[1] (14s)" */
export function formatProgressLine(verb: string, progress: ApplyProgress, elapsedMs: number): string {
  const where = progress.current ? `: ${progress.current}` : "";
  return `${verb} ${Math.min(progress.done + 1, Math.max(progress.total, 1))} of ${Math.max(progress.total, 1)}${where} (${formatElapsed(elapsedMs)})`;
}

/** Terraform's diagnostics printed cleanly: summary, address, detail's first lines. */
export function formatDiagnostic(d: TerraformDiagnostic): string {
  const head = `${d.summary}${d.address ? ` [${d.address}]` : ""}${d.location ? ` (${d.location})` : ""}`;
  const detail = d.detail
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 4)
    .map((l) => `    ${l}`);
  return [head, ...detail].join("\n");
}

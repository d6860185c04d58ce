import type { Style } from "../io/io.js";
import type { Finding, Severity } from "./finding.js";
import type { DoctorResult } from "./run.js";

const HEADINGS: Record<Severity, string> = { error: "Errors", warning: "Warnings", info: "Info" };

/** Pure: findings grouped by severity, each with its evidence, cause and fix. */
export function formatFindings(result: DoctorResult, style: Style): string {
  const { findings, checked } = result;
  const scope = checked.kubernetes
    ? `${checked.nodes} nodes, ${checked.pods} pods, ${checked.events} events`
    : "Kubernetes not readable";
  const stacks = checked.stacks > 0 ? `, ${checked.stacks} Terraform stacks` : "";
  if (findings.length === 0) return style.green(`No problems found (${scope}${stacks}).`);
  const lines: string[] = [];
  for (const severity of ["error", "warning", "info"] as const) {
    const group = findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    const paint = severity === "error" ? style.red : severity === "warning" ? style.yellow : style.dim;
    lines.push(paint(style.bold(`${HEADINGS[severity]} (${group.length})`)), "");
    for (const f of group) lines.push(...formatFinding(f, style, paint), "");
  }
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  lines.push(
    `${count("error")} error(s), ${count("warning")} warning(s), ${count("info")} info (${scope}${stacks}).`,
  );
  return lines.join("\n");
}

function formatFinding(f: Finding, style: Style, paint: (t: string) => string): string[] {
  return [
    `${paint(f.code)}  ${style.bold(f.resource)}`,
    `  ${f.summary}`,
    `  ${style.dim("evidence:")}`,
    ...f.evidence.map((e) => `    ${e}`),
    `  ${style.dim("cause:")} ${f.cause}`,
    `  ${style.dim("fix:")}`,
    ...f.fix.map((c) => `    $ ${c}`),
  ];
}

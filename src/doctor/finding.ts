export type Severity = "error" | "warning" | "info";

/** One diagnosis: what is wrong where, the exact lines that show it, why, and the commands that fix it. */
export interface Finding {
  /** Stable code, documented in the README (node.not-ready.kubelet, pod.image-pull.tag-missing, ...). */
  code: string;
  severity: Severity;
  /** Node/NAME, Pod/NS/NAME, PersistentVolumeClaim/NS/NAME, NodeGroup/NAME, Stack/NAME, Cluster/NAME. */
  resource: string;
  summary: string;
  /** The condition, event, state or AWS lines the diagnosis rests on, verbatim where they exist. */
  evidence: string[];
  cause: string;
  /** Concrete commands, in the order to try them. */
  fix: string[];
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Pure: stable order (severity, code, resource) and no exact duplicates. */
export function sortFindings(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const key = `${f.code}\u0000${f.resource}\u0000${f.summary}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      a.code.localeCompare(b.code) ||
      a.resource.localeCompare(b.resource),
  );
}

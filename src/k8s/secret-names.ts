// Where the Secrets the workloads stage makes live, apart from render.ts so that port-forward (which names
// Grafana's) does not load the renderer and yaml with it: `models sync` reaches port-forward through the
// Triton client, and every millisecond before its listing is sent counts (bench/models.mjs).

/** Grafana's admin password (keys admin-user, admin-password). */
export const GRAFANA_SECRET = { namespace: "monitoring", name: "grafana-admin" } as const;

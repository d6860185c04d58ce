// `triton-ops port-forward`: a local TCP listener whose every connection is tunnelled to a ready pod
// behind the chosen service, through the API server (no kubectl needed).
import net from "node:net";
import { ExternalError, messageOf, UserError } from "../errors.js";
import { GRAFANA_SECRET } from "./secret-names.js";
import type { KubeClient, V1Pod } from "./types.js";

export const FORWARD_TARGETS = {
  triton: { namespace: "triton", app: "triton", port: 8000, path: "/v2/health/ready" },
  grafana: { namespace: "monitoring", app: "grafana", port: 3000, path: "/" },
  prometheus: { namespace: "monitoring", app: "prometheus", port: 9090, path: "/targets" },
} as const;
export type ForwardName = keyof typeof FORWARD_TARGETS;

export function parseForwardName(name: string): ForwardName {
  if (name in FORWARD_TARGETS) return name as ForwardName;
  throw new UserError(`Cannot forward to "${name}".`, {
    code: "port-forward.unknown",
    suggestion: `Choose one of ${Object.keys(FORWARD_TARGETS).join(", ")}.`,
  });
}

export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UserError(`--port ${value} is not a TCP port (0-65535; 0 picks a free one).`, {
      code: "port-forward.bad-port",
    });
  }
  return port;
}

/** Pure: the pods a Service would send traffic to: Running, Ready and not being deleted. */
export function readyPods(pods: readonly V1Pod[]): V1Pod[] {
  return pods.filter(
    (p) =>
      p.status?.phase === "Running" &&
      !p.metadata?.deletionTimestamp &&
      (p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false),
  );
}

function readyPod(pods: readonly V1Pod[]): V1Pod | undefined {
  return readyPods(pods)[0];
}

export interface ForwardPlan {
  name: ForwardName;
  namespace: string;
  pod: string;
  port: number;
  /** Where the admin password lives (Grafana only); never the password itself. */
  passwordNote?: string;
}

/** Finds a Running and Ready pod behind the service. */
export async function planForward(kube: KubeClient, name: ForwardName): Promise<ForwardPlan> {
  const target = FORWARD_TARGETS[name];
  const pods = await kube.listPods({
    namespace: target.namespace,
    labelSelector: `app.kubernetes.io/name=${target.app}`,
  });
  const pod = readyPod(pods);
  if (!pod?.metadata?.name) {
    throw new ExternalError(
      `No Running and Ready ${name} pod in namespace ${target.namespace} (${pods.length} found) to forward to.`,
      {
        code: "port-forward.no-pod",
        suggestion: "Check it with `triton-ops verify`; deploy with `triton-ops up --stage workloads`.",
      },
    );
  }
  return {
    name,
    namespace: target.namespace,
    pod: pod.metadata.name,
    port: target.port,
    ...(name === "grafana"
      ? {
          passwordNote: `Grafana user admin; the password is in Secret ${GRAFANA_SECRET.namespace}/${GRAFANA_SECRET.name}, key admin-password: kubectl -n ${GRAFANA_SECRET.namespace} get secret ${GRAFANA_SECRET.name} -o jsonpath='{.data.admin-password}' | base64 -d`,
        }
      : {}),
  };
}

export interface Forwarding {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 and tunnels each connection; `onError` hears about broken tunnels. */
export async function startForwarding(
  kube: KubeClient,
  plan: ForwardPlan,
  localPort: number,
  onError: (message: string) => void,
): Promise<Forwarding> {
  const forward = kube.portForward?.bind(kube);
  if (!forward) throw new Error("this Kubernetes client cannot port-forward");
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    forward(plan.namespace, plan.pod, plan.port, socket).catch((error: unknown) => {
      onError(messageOf(error));
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new UserError(`Local port ${localPort} is in use.`, {
              code: "port-forward.port-in-use",
              suggestion: "Pick another with --port N (0 picks a free one).",
            })
          : error,
      ),
    );
    server.listen(localPort, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const path = FORWARD_TARGETS[plan.name].path;
  return {
    port,
    url: `http://127.0.0.1:${port}${plan.name === "triton" ? "" : path === "/" ? "" : path}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

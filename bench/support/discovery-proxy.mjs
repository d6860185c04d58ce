// kubectl discovers the API (`GET /api`, `GET /apis`) before it lists anything; the test stand-in serves
// only the per-group lists (/api/v1, /apis/apps/v1). This small front answers those two documents and
// passes every other request through to the stand-in unchanged. Every benchmark subject goes through it,
// so the extra hop costs each of them the same.
import { writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { stringify } from "yaml";

const GROUPS = ["apps/v1", "autoscaling/v2", "rbac.authorization.k8s.io/v1"];

export async function startDiscoveryProxy(standin, dir) {
  const target = new URL(standin.url);
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: 32,
    ca: Buffer.from(standin.caData, "base64").toString("utf8"),
  });
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://x").pathname;
    if (pathname === "/api" || pathname === "/apis") {
      const body =
        pathname === "/api"
          ? {
              kind: "APIVersions",
              versions: ["v1"],
              serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: target.host }],
            }
          : {
              kind: "APIGroupList",
              apiVersion: "v1",
              groups: GROUPS.map((gv) => {
                const [name, version] = gv.split("/");
                const v = { groupVersion: gv, version };
                return { name, versions: [v], preferredVersion: v };
              }),
            };
      const text = JSON.stringify(body);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const upstream = https.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        // client-go sends no bearer token over plain HTTP, so the front adds the stand-in's own.
        headers: { ...req.headers, host: target.host, authorization: `Bearer ${standin.token}` },
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", (error) => {
      res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const kubeconfigPath = path.join(dir, "kubeconfig-via-proxy");
  await writeFile(
    kubeconfigPath,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "bench", cluster: { server: url, "insecure-skip-tls-verify": true } }],
      users: [{ name: "bench", user: {} }],
      contexts: [{ name: "bench", context: { cluster: "bench", user: "bench" } }],
      "current-context": "bench",
    }),
    { mode: 0o600 },
  );
  return {
    url,
    kubeconfigPath,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}

// The load generator's own overhead, against a stand-in that answers Triton's infer endpoint in a fixed
// 5 ms (in its own process): its p50 at concurrency 16 must be within 10% of 5 ms, and its throughput at
// least 0.8x autocannon's against the same server, measured side by side in this run. Throughput is
// compared as milliseconds per 1,000 requests, so the usual "subject/reference <= target" reads 1.25.
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { compare, median } from "./lib.mjs";

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const SERVICE_MS = 5;
const CONCURRENCY = 16;
const SECONDS = 3;

const standIn = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => setTimeout(() => { res.writeHead(200, {"content-type": "application/json"}); res.end('{"model_name":"identity","outputs":[]}'); }, ${SERVICE_MS}));
});
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

export async function run({ repetitions = 3 } = {}) {
  const { buildInferRequest, runLevel } = await import(path.join(root, "dist", "loadtest", "load.js"));
  const child = spawn(process.execPath, ["-e", standIn], { stdio: ["ignore", "pipe", "inherit"] });
  const [port] = await once(child.stdout, "data");
  const url = `http://127.0.0.1:${String(port).trim()}`;
  const body = JSON.stringify(
    buildInferRequest({ name: "identity", inputs: [{ name: "INPUT0", datatype: "FP32", shape: [1, 16] }] }),
  );
  const p50s = [];
  const referenceP50s = [];
  const reportedP50s = [];
  try {
    const throughput = await compare({
      name: `loadtest: ms per 1,000 requests at concurrency ${CONCURRENCY} vs autocannon (5 ms server)`,
      subject: async () => {
        const r = await runLevel({
          url,
          model: "identity",
          body,
          concurrency: CONCURRENCY,
          durationMs: SECONDS * 1000,
        });
        p50s.push(r.p50Ms);
        return { ms: 1e6 / r.throughputPerSecond };
      },
      reference: async () => {
        // autocannon's reported p50 comes from a histogram of whole milliseconds (hdr-histogram, lowest
        // discernible value 1), so it reads 5 for any median between 5 and 6 ms. Its own per-response times
        // (hrtime, emitted on the instance) give its median at the resolution ours is measured in.
        const times = [];
        const instance = autocannon({
          url: `${url}/v2/models/identity/infer`,
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          connections: CONCURRENCY,
          duration: SECONDS,
        });
        instance.on("response", (_client, status, _bytes, responseTime) => {
          if (status >= 200 && status < 300) times.push(responseTime);
        });
        const r = await instance;
        referenceP50s.push(median(times));
        reportedP50s.push(r.latency.p50);
        return { ms: 1e6 / r.requests.average };
      },
      repetitions,
      target: 1.25,
    });
    // A 5 ms timer on a busy machine fires late, so what the server really takes is read by autocannon in the
    // same run, from its per-response times; the 10% is held against that, and the ratio to the nominal 5 ms
    // is shown beside it.
    const p50 = median(p50s);
    const referenceP50 = median(referenceP50s);
    const ratio = p50 / referenceP50;
    return [
      throughput,
      {
        name: `loadtest: p50 at concurrency ${CONCURRENCY} vs autocannon's p50 (5 ms server)`,
        subjectMs: Number(p50.toFixed(2)),
        subjectSpreadPct: 0,
        referenceMs: Number(referenceP50.toFixed(2)),
        referenceSpreadPct: 0,
        ratio: Number(ratio.toFixed(3)),
        target: 1.1,
        ok: ratio <= 1.1,
        note: `${(p50 / SERVICE_MS).toFixed(2)}x the nominal ${SERVICE_MS} ms; autocannon's own whole-ms p50: ${median(reportedP50s)} ms`,
      },
    ];
  } finally {
    child.kill();
  }
}

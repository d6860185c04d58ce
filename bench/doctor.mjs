// doctor on 1,000 nodes / 10,000 pods / 20,000 events served by the HTTPS Kubernetes stand-in:
// against `kubectl get nodes,pods,events -A -o json` on the same server (<= 0.2x, peak RSS < 250 MB),
// and against the floor, one paged fetch of the same lists through the client library (<= 2x).
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compare, timeCommand } from "./lib.mjs";
import { startDiscoveryProxy } from "./support/discovery-proxy.mjs";
import { importTestSupport } from "./support/test-support.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, "..", "bin", "triton-ops.js");
const floorScript = path.join(here, "support", "k8s-floor.mjs");

/** A few faults in the big cluster so the rules have real work: crash loops and a NotReady node. */
function withFaults(objects) {
  let crashing = 0;
  for (const o of objects) {
    if (o.kind === "Pod" && crashing < 50 && o.metadata.name.endsWith("7")) {
      crashing += 1;
      o.status.phase = "Running";
      o.status.containerStatuses = [
        {
          name: "main",
          image: o.spec.containers[0].image,
          ready: false,
          restartCount: 5,
          state: {
            waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container" },
          },
          lastState: { terminated: { reason: "Error", exitCode: 1 } },
        },
      ];
    }
  }
  const first = objects.find((o) => o.kind === "Node");
  first.status.conditions[0] = {
    type: "Ready",
    status: "Unknown",
    reason: "NodeStatusUnknown",
    message: "Kubelet stopped posting node status.",
  };
  return objects;
}

export async function run({ repetitions = 7 } = {}) {
  const { startKubeStandin } = await importTestSupport("kube-standin");
  const { largeCluster } = await importTestSupport("kube-fixtures", ["kube-standin"]);
  const objects = withFaults(largeCluster({ nodes: 1000, pods: 10000, events: 20000 }));
  const standin = await startKubeStandin({ objects });
  const cwd = await mkdtemp(path.join(os.tmpdir(), "bench-doctor-"));
  const front = await startDiscoveryProxy(standin, cwd);
  const kubeconfig = front.kubeconfigPath;
  // No project here and no cluster name in the kubeconfig: no AWS call is made; a dead endpoint makes sure.
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    AWS_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
  };
  const doctor = () =>
    timeCommand(process.execPath, [bin, "doctor", "--json", "--kubeconfig", kubeconfig], {
      env,
      cwd,
      okCodes: [0, 1],
      measureMemory: true,
    });
  try {
    return [
      await compare({
        name: "doctor: 1k nodes/10k pods/20k events vs kubectl get -A -o json",
        subject: doctor,
        reference: () =>
          timeCommand(
            "kubectl",
            ["get", "nodes,pods,events", "-A", "-o", "json", "--kubeconfig", kubeconfig],
            {
              env,
              cwd,
            },
          ),
        repetitions,
        target: 0.2,
      }),
      await compare({
        name: "doctor: same cluster vs one paged client-node fetch (floor)",
        subject: doctor,
        reference: () => timeCommand(process.execPath, [floorScript, kubeconfig], { env, cwd }),
        repetitions: 7,
        target: 2,
      }),
    ];
  } finally {
    await front.stop();
    await standin.stop();
  }
}

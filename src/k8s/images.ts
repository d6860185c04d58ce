// The one table of every third-party image the workloads run (and the Triton release `ci init` builds
// from). Each is an exact tag, never `latest`: the tests fail on an unpinned one.
//
// AS OF 2026-12-01, read from public manifests and release references that name these tags (no registry is
// reachable from the build machines, so they were not pulled here). Bump them together, date the change,
// and run `npx vitest run src/k8s/render.test.ts`.

export const IMAGES_AS_OF = "2026-12-01";

export const IMAGES = {
  prometheus: "quay.io/prometheus/prometheus:v3.15.0",
  alertmanager: "quay.io/prometheus/alertmanager:v0.34.1",
  prometheusAdapter: "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0",
  kubeStateMetrics: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.19.1",
  nodeExporter: "quay.io/prometheus/node-exporter:v1.12.1",
  grafana: "docker.io/grafana/grafana:13.2.3",
  nvidiaDevicePlugin: "nvcr.io/nvidia/k8s-device-plugin:v0.19.3",
  dcgmExporter: "nvcr.io/nvidia/k8s/dcgm-exporter:4.5.2-4.8.1-ubuntu22.04",
} as const;

/** The tritonserver release (`nvcr.io/nvidia/tritonserver:<this>-py3`) the generated Dockerfile builds from. */
export const TRITON_RELEASE = "26.08";

/**
 * cluster-autoscaler is released per Kubernetes minor and only tested against its own, so the tag follows
 * the cluster's version (newest patch of each minor known on the date above).
 */
export const CLUSTER_AUTOSCALER_BY_MINOR: Readonly<Record<string, string>> = {
  "1.31": "v1.31.1",
  "1.32": "v1.32.7",
  "1.33": "v1.33.6",
  "1.34": "v1.34.5",
  "1.35": "v1.35.2",
};

const CLUSTER_AUTOSCALER_REPOSITORY = "registry.k8s.io/autoscaling/cluster-autoscaler";

/**
 * Pure: the cluster-autoscaler image for a Kubernetes minor; for a minor the table lacks, the nearest known
 * one, with a warning saying so.
 */
export function clusterAutoscalerImage(kubernetesVersion: string): { image: string; warning?: string } {
  const exact = CLUSTER_AUTOSCALER_BY_MINOR[kubernetesVersion];
  if (exact) return { image: `${CLUSTER_AUTOSCALER_REPOSITORY}:${exact}` };
  const minor = (v: string) => Number(v.split(".")[1]);
  const known = Object.keys(CLUSTER_AUTOSCALER_BY_MINOR).sort((a, b) => minor(a) - minor(b));
  const wanted = minor(kubernetesVersion);
  const nearest = known.reduce((best, v) =>
    Math.abs(minor(v) - wanted) < Math.abs(minor(best) - wanted) ? v : best,
  );
  const tag = CLUSTER_AUTOSCALER_BY_MINOR[nearest]!;
  return {
    image: `${CLUSTER_AUTOSCALER_REPOSITORY}:${tag}`,
    warning: `no cluster-autoscaler release for Kubernetes ${kubernetesVersion} is in the image table (as of ${IMAGES_AS_OF}); using ${tag}, the nearest`,
  };
}

/** Pure: is this image reference pinned to an exact tag or digest (not `latest`, not tagless)? */
export function isPinnedImage(image: string): boolean {
  if (!image || /\s/.test(image)) return false;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag !== undefined && tag !== "latest";
}

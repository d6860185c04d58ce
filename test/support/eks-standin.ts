// An EKS API stand-in for the calls the emulator (moto 5.2.1) lacks: DescribeClusterVersions,
// UpdateClusterVersion, DescribeUpdate/ListUpdates, UpdateNodegroupVersion, ListInsights, and the
// add-on reads the upgrade pre-checks make. Written from the Amazon EKS API Reference
// (docs.aws.amazon.com/eks/latest/APIReference/: API_DescribeClusterVersions, API_UpdateClusterVersion,
// API_DescribeUpdate, API_ListUpdates, API_UpdateNodegroupVersion, API_DescribeNodegroup,
// API_ListNodegroups, API_ListInsights, API_DescribeAddonVersions, API_ListAddons, API_DescribeAddon,
// API_DescribeCluster, and "Common Errors"), REST-JSON as the SDK speaks it (the paths are the SDK's own
// HTTP bindings). It refuses what EKS refuses:
// - a control-plane update that is not exactly one minor version up (InvalidParameterException);
// - any update while another update of the cluster or node group is in progress (ResourceInUseException);
// - a node group version newer than the control plane (InvalidParameterException);
// - names that do not exist (ResourceNotFoundException, 404).
// An update stays InProgress for `pollsToComplete` DescribeUpdate calls, then is Successful and the new
// version shows; so a test sees the long wait and its progress, and an interrupted run can be resumed.
// Signatures are not checked. It stays in test/support: the product never points at it by itself.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StandinNodegroup {
  name: string;
  version: string;
  releaseVersion: string;
  instanceTypes: string[];
  amiType?: string;
  subnets?: string[];
  scaling: { minSize: number; maxSize: number; desiredSize: number };
  maxUnavailable?: number;
}

export interface StandinCluster {
  name: string;
  version: string;
  nodegroups: StandinNodegroup[];
  addons?: Array<{ name: string; version: string }>;
}

export interface StandinVersion {
  version: string;
  status: "STANDARD_SUPPORT" | "EXTENDED_SUPPORT" | "UNSUPPORTED";
  releaseDate: string;
  endOfStandardSupport: string;
  endOfExtendedSupport: string;
  isDefault?: boolean;
}

export interface StandinAddonVersion {
  addonName: string;
  addonVersion: string;
  /** Cluster versions this add-on version runs on, with whether it is the default there. */
  compatibilities: Array<{ clusterVersion: string; defaultVersion?: boolean }>;
}

export interface EksStandinOptions {
  clusterVersions?: StandinVersion[];
  clusters?: StandinCluster[];
  addonVersions?: StandinAddonVersion[];
  /** Upgrade insights per cluster; leave undefined to answer ListInsights with 404, as moto does. */
  insights?: Record<string, Array<{ name: string; status: "PASSING" | "WARNING" | "ERROR"; reason: string }>>;
  pollsToComplete?: number;
}

interface UpdateRecord {
  id: string;
  type: "VersionUpdate";
  status: "InProgress" | "Successful" | "Failed";
  target: string;
  nodegroup?: string;
  polls: number;
  createdAt: number;
}

export interface EksStandin {
  url: string;
  clusters: Map<string, StandinCluster & { updates: UpdateRecord[] }>;
  /** Requests received, "METHOD /path". */
  calls: string[];
  stop(): Promise<void>;
}

class EksError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const minorOf = (v: string): number => Number(v.split(".")[1]);

export async function startEksStandin(options: EksStandinOptions = {}): Promise<EksStandin> {
  const pollsToComplete = options.pollsToComplete ?? 2;
  const clusters = new Map<string, StandinCluster & { updates: UpdateRecord[] }>();
  for (const c of options.clusters ?? []) {
    clusters.set(c.name, { ...structuredClone(c), updates: [] });
  }
  const calls: string[] = [];
  let nextId = 1;

  const cluster = (name: string) => {
    const c = clusters.get(decodeURIComponent(name));
    if (!c) throw new EksError(404, "ResourceNotFoundException", `No cluster found for name: ${name}.`);
    return c;
  };
  const nodegroup = (c: StandinCluster, name: string) => {
    const ng = c.nodegroups.find((n) => n.name === decodeURIComponent(name));
    if (!ng) throw new EksError(404, "ResourceNotFoundException", `No node group found for name: ${name}.`);
    return ng;
  };
  /** Advances an update one poll; at the end it takes effect. */
  const advance = (c: StandinCluster & { updates: UpdateRecord[] }, u: UpdateRecord) => {
    if (u.status !== "InProgress") return;
    u.polls += 1;
    if (u.polls < pollsToComplete) return;
    u.status = "Successful";
    if (u.nodegroup) {
      const ng = nodegroup(c, u.nodegroup);
      ng.version = u.target;
      ng.releaseVersion = `${u.target}.0-20261120`;
    } else {
      c.version = u.target;
    }
  };
  const inProgress = (c: StandinCluster & { updates: UpdateRecord[] }, ng?: string) =>
    c.updates.find((u) => u.status === "InProgress" && (ng === undefined || u.nodegroup === ng));
  const updateJson = (u: UpdateRecord) => ({
    id: u.id,
    status: u.status,
    type: u.type,
    params: [{ type: "Version", value: u.target }],
    createdAt: u.createdAt / 1000,
    errors: [],
  });
  const nodegroupJson = (clusterName: string, ng: StandinNodegroup) => ({
    nodegroupName: ng.name,
    clusterName,
    version: ng.version,
    releaseVersion: ng.releaseVersion,
    status: "ACTIVE",
    instanceTypes: ng.instanceTypes,
    amiType: ng.amiType ?? "AL2023_x86_64_NVIDIA",
    subnets: ng.subnets ?? ["subnet-a", "subnet-b"],
    scalingConfig: ng.scaling,
    updateConfig: { maxUnavailable: ng.maxUnavailable ?? 1 },
  });

  const route = (method: string, url: URL, body: Record<string, unknown>): unknown => {
    const parts = url.pathname.split("/").filter(Boolean);
    const q = url.searchParams;
    if (method === "GET" && url.pathname === "/cluster-versions") {
      const wanted = q.getAll("clusterVersions");
      const versions = (options.clusterVersions ?? [])
        .filter((v) => wanted.length === 0 || wanted.includes(v.version))
        .filter((v) => q.get("includeAll") === "true" || v.status !== "UNSUPPORTED")
        .filter((v) => q.get("defaultOnly") !== "true" || v.isDefault);
      return {
        clusterVersions: versions.map((v) => ({
          clusterVersion: v.version,
          clusterType: "eks",
          defaultPlatformVersion: "eks.1",
          defaultVersion: v.isDefault === true,
          releaseDate: Date.parse(v.releaseDate) / 1000,
          endOfStandardSupportDate: Date.parse(v.endOfStandardSupport) / 1000,
          endOfExtendedSupportDate: Date.parse(v.endOfExtendedSupport) / 1000,
          versionStatus: v.status,
          status: v.status.toLowerCase().replace("_", "-"),
          kubernetesPatchVersion: `${v.version}.4`,
        })),
      };
    }
    if (method === "GET" && url.pathname === "/addons/supported-versions") {
      const name = q.get("addonName");
      const k8s = q.get("kubernetesVersion");
      const byName = new Map<string, StandinAddonVersion[]>();
      for (const a of options.addonVersions ?? []) {
        if (name && a.addonName !== name) continue;
        if (k8s && !a.compatibilities.some((c) => c.clusterVersion === k8s)) continue;
        byName.set(a.addonName, [...(byName.get(a.addonName) ?? []), a]);
      }
      return {
        addons: [...byName].map(([addonName, versions]) => ({
          addonName,
          type: "networking",
          addonVersions: versions.map((v) => ({
            addonVersion: v.addonVersion,
            architecture: ["amd64"],
            compatibilities: v.compatibilities.map((c) => ({
              clusterVersion: c.clusterVersion,
              defaultVersion: c.defaultVersion === true,
              platformVersions: ["*"],
            })),
          })),
        })),
      };
    }
    if (parts[0] !== "clusters" || !parts[1]) throw new EksError(404, "NotFoundException", "Not found");
    const c = cluster(parts[1]);
    const rest = parts.slice(2);
    if (method === "GET" && rest.length === 0) {
      return {
        cluster: {
          name: c.name,
          version: c.version,
          status: inProgress(c) && !inProgress(c)?.nodegroup ? "UPDATING" : "ACTIVE",
          endpoint: "https://example.eks.amazonaws.com",
          platformVersion: "eks.1",
        },
      };
    }
    if (rest[0] === "updates") {
      if (method === "POST" && rest.length === 1) {
        const target = String(body.version ?? "");
        if (inProgress(c)) {
          throw new EksError(409, "ResourceInUseException", "The cluster has an update in progress.");
        }
        if (!/^\d+\.\d+$/.test(target) || minorOf(target) !== minorOf(c.version) + 1) {
          throw new EksError(
            400,
            "InvalidParameterException",
            `Unsupported Kubernetes minor version update from ${c.version} to ${target}`,
          );
        }
        const u: UpdateRecord = {
          id: `upd-${nextId++}`,
          type: "VersionUpdate",
          status: "InProgress",
          target,
          polls: 0,
          createdAt: Date.now(),
        };
        c.updates.push(u);
        return { update: updateJson(u) };
      }
      if (method === "GET" && rest.length === 1) {
        const ng = q.get("nodegroupName") ?? undefined;
        return { updateIds: c.updates.filter((u) => u.nodegroup === ng).map((u) => u.id) };
      }
      if (method === "GET" && rest[1]) {
        const u = c.updates.find((x) => x.id === rest[1]);
        if (!u) throw new EksError(404, "ResourceNotFoundException", `No update found for ID: ${rest[1]}.`);
        advance(c, u);
        return { update: updateJson(u) };
      }
    }
    if (rest[0] === "node-groups") {
      if (method === "GET" && rest.length === 1) return { nodegroups: c.nodegroups.map((n) => n.name) };
      const ng = nodegroup(c, rest[1] ?? "");
      if (method === "GET" && rest.length === 2) return { nodegroup: nodegroupJson(c.name, ng) };
      if (method === "POST" && rest[2] === "update-version") {
        const target = String(body.version ?? c.version);
        if (inProgress(c, ng.name) || (inProgress(c) && !inProgress(c)?.nodegroup)) {
          throw new EksError(409, "ResourceInUseException", "An update is already in progress.");
        }
        if (minorOf(target) > minorOf(c.version)) {
          throw new EksError(
            400,
            "InvalidParameterException",
            `Requested Nodegroup version ${target} is newer than the cluster version ${c.version}.`,
          );
        }
        const u: UpdateRecord = {
          id: `upd-${nextId++}`,
          type: "VersionUpdate",
          status: "InProgress",
          target,
          nodegroup: ng.name,
          polls: 0,
          createdAt: Date.now(),
        };
        c.updates.push(u);
        return { update: updateJson(u) };
      }
    }
    if (rest[0] === "addons") {
      if (method === "GET" && rest.length === 1) return { addons: (c.addons ?? []).map((a) => a.name) };
      const addon = (c.addons ?? []).find((a) => a.name === rest[1]);
      if (!addon) throw new EksError(404, "ResourceNotFoundException", `No addon: ${rest[1]} found.`);
      if (method === "GET") {
        return {
          addon: {
            addonName: addon.name,
            clusterName: c.name,
            addonVersion: addon.version,
            status: "ACTIVE",
          },
        };
      }
    }
    if (method === "POST" && rest[0] === "insights") {
      const found = options.insights?.[c.name];
      if (!found) throw new EksError(404, "NotFoundException", "Not found");
      return {
        insights: found.map((i, n) => ({
          id: `insight-${n}`,
          name: i.name,
          category: "UPGRADE_READINESS",
          kubernetesVersion: `1.${minorOf(c.version) + 1}`,
          insightStatus: { status: i.status, reason: i.reason },
        })),
      };
    }
    throw new EksError(404, "NotFoundException", `No route for ${method} ${url.pathname}`);
  };

  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => {
      raw += chunk.toString("utf8");
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      calls.push(`${req.method} ${url.pathname}`);
      try {
        const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
        const answer = route(req.method ?? "GET", url, body);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(answer));
      } catch (error) {
        const e =
          error instanceof EksError ? error : new EksError(500, "ServerException", (error as Error).message);
        res.writeHead(e.status, { "content-type": "application/json", "x-amzn-errortype": e.type });
        res.end(JSON.stringify({ message: e.message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    clusters,
    calls,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The EKS calendar on 2026-12-01 (the same facts the bundled table holds), as EKS would list it. */
export const CALENDAR_2026_12_01: StandinVersion[] = [
  {
    version: "1.35",
    status: "STANDARD_SUPPORT",
    releaseDate: "2026-01-27",
    endOfStandardSupport: "2027-03-27",
    endOfExtendedSupport: "2028-03-27",
  },
  {
    version: "1.34",
    status: "STANDARD_SUPPORT",
    releaseDate: "2025-10-02",
    endOfStandardSupport: "2026-12-02",
    endOfExtendedSupport: "2027-12-02",
    isDefault: true,
  },
  {
    version: "1.33",
    status: "EXTENDED_SUPPORT",
    releaseDate: "2025-05-29",
    endOfStandardSupport: "2026-07-29",
    endOfExtendedSupport: "2027-07-29",
  },
  {
    version: "1.32",
    status: "EXTENDED_SUPPORT",
    releaseDate: "2025-01-23",
    endOfStandardSupport: "2026-03-23",
    endOfExtendedSupport: "2027-03-23",
  },
  {
    version: "1.31",
    status: "UNSUPPORTED",
    releaseDate: "2024-09-26",
    endOfStandardSupport: "2025-11-26",
    endOfExtendedSupport: "2026-11-26",
  },
];

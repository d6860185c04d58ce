import type { V1Node, V1NodeCondition } from "@kubernetes/client-node";
import type { Finding } from "../finding.js";
import { classifyNotReady, PRESSURE_CONDITIONS, parseMinorVersion } from "../parse.js";
import { isKnown } from "../snapshot.js";
import {
  conditionLine,
  daemonPodState,
  eventLine,
  instanceIdOf,
  type RuleContext,
  ssmFix,
} from "./context.js";

const KUBELET_DEBUG = [
  "sudo systemctl status kubelet",
  "sudo journalctl -u kubelet -f",
  "sudo tail -n 200 /var/log/cloud-init-output.log",
];

/** Ready not True: which part of the node failed (kubelet, CNI, runtime), cross-checked with aws-node. */
export function notReadyRule(ctx: RuleContext): Finding[] {
  const findings: Finding[] = [];
  const awsNode = ctx.daemonSets(/^aws-node$/);
  for (const node of ctx.nodes.values()) {
    const name = node.metadata?.name ?? "?";
    const ready = (node.status?.conditions ?? []).find((c) => c.type === "Ready");
    if (!ready || ready.status === "True") continue;
    const kind = classifyNotReady(ready.status, ready.reason, ready.message);
    const instance = instanceIdOf(node);
    const evidence = [conditionLine(ready), ...ctx.events("Node", undefined, name).slice(-3).map(eventLine)];
    // What the node takes down with it: the workloads (not its own DaemonSet pods) scheduled there.
    const stranded = (ctx.podsByNode.get(name) ?? []).filter(
      (p) => !(p.metadata?.ownerReferences ?? []).some((o) => o.kind === "DaemonSet"),
    );
    if (stranded.length > 0) {
      const names = stranded.slice(0, 5).map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
      evidence.push(
        `pods on this node: ${names.join(", ")}${stranded.length > 5 ? `, and ${stranded.length - 5} more` : ""}`,
      );
    }
    const ssm = ssmFix(instance, ctx.region);
    if (kind === "kubelet") {
      findings.push({
        code: "node.not-ready.kubelet",
        severity: "error",
        resource: `Node/${name}`,
        summary: `Node ${name} is NotReady: its kubelet stopped posting status.`,
        evidence,
        cause:
          "The kubelet on the instance is stopped, crashed, or cannot reach the API server (instance stopped or impaired, kubelet crash-looping, expired credentials, network path to the endpoint lost).",
        fix: [
          `aws ec2 describe-instance-status --instance-ids ${instance ?? "INSTANCE_ID"} --region ${ctx.region}`,
          ssm,
          ...KUBELET_DEBUG,
        ],
      });
    } else if (kind === "cni") {
      const ds = awsNode[0];
      const state = ds ? daemonPodState(ctx.daemonPodOn(ds, name)) : undefined;
      evidence.push(
        ds
          ? `DaemonSet kube-system/aws-node: ${state?.text}`
          : "DaemonSet kube-system/aws-node: not found in the cluster",
      );
      findings.push({
        code: "node.not-ready.cni",
        severity: "error",
        resource: `Node/${name}`,
        summary: `Node ${name} is NotReady: the network plugin (VPC CNI) is not initialised.`,
        evidence,
        cause: !ds
          ? "The VPC CNI (aws-node DaemonSet) is not installed, so no node gets pod networking."
          : state?.ok
            ? "aws-node runs on the node but has not written its CNI config yet; it is usually starting or failing to reach IPAMD/EC2."
            : "aws-node is not running on this node, so the CNI plugin never initialised (image pull, IAM permissions of the node role for CNI, or no free IPs).",
        fix: [
          `kubectl -n kube-system get pods -l k8s-app=aws-node -o wide --field-selector spec.nodeName=${name}`,
          `kubectl -n kube-system logs -l k8s-app=aws-node -c aws-node --tail=50`,
          `aws eks describe-addon --cluster-name ${ctx.clusterName} --addon-name vpc-cni --region ${ctx.region}`,
          ssm,
          "sudo ls /etc/cni/net.d && sudo tail -n 50 /var/log/aws-routed-eni/ipamd.log",
        ],
      });
    } else {
      findings.push({
        code: kind === "runtime" ? "node.not-ready.runtime" : "node.not-ready.other",
        severity: "error",
        resource: `Node/${name}`,
        summary:
          kind === "runtime"
            ? `Node ${name} is NotReady: the container runtime (containerd) is unhealthy.`
            : `Node ${name} is NotReady: ${ready.reason ?? "reason not given"}.`,
        evidence,
        cause:
          kind === "runtime"
            ? "containerd is down or its status check fails (PLEG not healthy), so the kubelet cannot run pods."
            : "The Ready condition names a reason doctor does not know; its message is the best lead.",
        fix:
          kind === "runtime"
            ? [
                ssm,
                "sudo systemctl status containerd",
                "sudo journalctl -u containerd -n 200",
                ...KUBELET_DEBUG,
              ]
            : [`kubectl describe node ${name}`, ssm, ...KUBELET_DEBUG],
      });
    }
  }
  return findings;
}

/** MemoryPressure, DiskPressure, PIDPressure True. Condition types doctor does not know are left alone. */
export function pressureRule(ctx: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const node of ctx.nodes.values()) {
    const name = node.metadata?.name ?? "?";
    for (const c of node.status?.conditions ?? []) {
      if (!(PRESSURE_CONDITIONS as readonly string[]).includes(c.type) || c.status !== "True") continue;
      const what = c.type.replace("Pressure", "").toLowerCase();
      findings.push({
        code: "node.pressure",
        severity: "warning",
        resource: `Node/${name}`,
        summary: `Node ${name} is under ${what} pressure: the kubelet evicts pods and refuses new ones.`,
        evidence: [
          conditionLine(c as V1NodeCondition & { type: string; status: string }),
          ...ctx
            .events("Node", undefined, name)
            .filter((e) => /Evict|Pressure|FreeDiskSpace|ImageGC/i.test(`${e.reason} ${e.message}`))
            .slice(-3)
            .map(eventLine),
        ],
        cause:
          what === "disk"
            ? "The root or image filesystem is past the kubelet's eviction threshold (images, logs, emptyDir)."
            : what === "memory"
              ? "Pods use more memory than the node can give; requests are lower than real use."
              : "Too many processes on the node (a fork bomb or a pod leaking threads).",
        fix: [
          `kubectl describe node ${name}`,
          what === "disk"
            ? `${ssmFix(instanceIdOf(node), ctx.region)}  # then: sudo df -h; sudo crictl rmi --prune`
            : `kubectl get pods -A --field-selector spec.nodeName=${name} -o wide`,
          what === "disk"
            ? "raise gpu.rootVolumeSizeGb in triton-ops.yaml, then triton-ops up --stage gpu-nodes"
            : "set memory requests/limits that match real use, or a larger instance type",
        ],
      });
    }
  }
  return findings;
}

/** kubelet newer than the control plane, or more than 3 minors older (the 1.28+ skew policy). */
export function versionSkewRule(ctx: RuleContext): Finding[] {
  const plane =
    ctx.kube && isKnown(ctx.kube.controlPlaneVersion)
      ? parseMinorVersion(ctx.kube.controlPlaneVersion)
      : undefined;
  if (!plane) return [];
  const findings: Finding[] = [];
  for (const node of ctx.nodes.values()) {
    const kubelet = node.status?.nodeInfo?.kubeletVersion;
    const v = kubelet ? parseMinorVersion(kubelet) : undefined;
    if (!v || v.major !== plane.major) continue;
    const behind = plane.minor - v.minor;
    if (behind >= 0 && behind < 3) continue;
    const name = node.metadata?.name ?? "?";
    const group = node.metadata?.labels?.["eks.amazonaws.com/nodegroup"];
    findings.push({
      code: "node.version-skew",
      severity: behind === 3 ? "warning" : "error",
      resource: `Node/${name}`,
      summary:
        behind < 0
          ? `Node ${name} runs kubelet ${kubelet}, newer than the control plane ${plane.major}.${plane.minor}.`
          : `Node ${name} runs kubelet ${kubelet}, ${behind} minor versions behind the control plane ${plane.major}.${plane.minor}.`,
      evidence: [
        `node.status.nodeInfo.kubeletVersion=${kubelet}`,
        `control plane version ${plane.major}.${plane.minor}`,
      ],
      cause:
        behind < 0
          ? "A kubelet may never be newer than the API server; the node's AMI is ahead of the cluster."
          : behind === 3
            ? "Three minors is the most the skew policy allows: the next control-plane upgrade breaks this node."
            : "The kubelet is older than the skew policy allows (3 minors since 1.28).",
      fix: group
        ? [
            `aws eks update-nodegroup-version --cluster-name ${ctx.clusterName} --nodegroup-name ${group} --region ${ctx.region}`,
            "or set kubernetesVersion in triton-ops.yaml and run triton-ops up --stage eks,gpu-nodes",
          ]
        : [
            `kubectl drain ${name} --ignore-daemonsets --delete-emptydir-data`,
            "replace the instance with one built from an AMI for the cluster's version",
          ],
    });
  }
  return findings;
}

/** Node groups whose instances or desired size have no Node objects, and node group health issues. */
export function notJoinedRule(ctx: RuleContext): Finding[] {
  const groups = ctx.snapshot.aws.nodeGroups;
  if (!isKnown(groups)) return [];
  const findings: Finding[] = [];
  const nodes = [...ctx.nodes.values()];
  const now = new Date(ctx.snapshot.collectedAt).getTime();
  for (const group of groups) {
    const members = nodes.filter((n) => n.metadata?.labels?.["eks.amazonaws.com/nodegroup"] === group.name);
    const known = new Set(nodes.flatMap((n) => [instanceIdOf(n), n.metadata?.name]).filter(Boolean));
    const evidence: string[] = [];
    for (const issue of group.issues) {
      evidence.push(
        `node group health ${issue.code}: ${issue.message}${issue.resourceIds.length ? ` (${issue.resourceIds.join(", ")})` : ""}`,
      );
    }
    let missing: Array<{ id: string }> = [];
    // Without the Kubernetes API nobody can tell which instances joined: only EKS's own health counts.
    const reachable = ctx.kube !== undefined;
    if (reachable && isKnown(group.instances)) {
      // A node needs a few minutes to bootstrap; younger instances are not reported.
      missing = group.instances.filter(
        (i) =>
          i.state === "running" &&
          !known.has(i.id) &&
          !(i.privateDnsName && known.has(i.privateDnsName)) &&
          !(i.launchTime && now - new Date(i.launchTime).getTime() < 10 * 60_000),
      );
      for (const i of missing) evidence.push(`instance ${i.id} is running but no Node object names it`);
    }
    if (reachable && members.length < group.desiredSize) {
      evidence.push(
        `desired size ${group.desiredSize}, Node objects with eks.amazonaws.com/nodegroup=${group.name}: ${members.length}`,
      );
    }
    if (
      group.issues.length === 0 &&
      missing.length === 0 &&
      (!reachable || members.length >= group.desiredSize)
    ) {
      continue;
    }
    const first =
      missing[0]?.id ?? group.issues.flatMap((i) => i.resourceIds).find((r) => r.startsWith("i-"));
    findings.push({
      code: "node.not-joined",
      severity: "error",
      resource: `NodeGroup/${group.name}`,
      summary: `Node group ${group.name} (${group.status}) has ${members.length} of ${group.desiredSize} desired nodes joined${missing.length ? `; ${missing.length} running instance(s) never registered` : ""}.`,
      evidence,
      cause: group.issues.some(
        (i) =>
          i.code === "NodeCreationFailure" ||
          i.code === "InstanceLimitExceeded" ||
          i.code === "InsufficientFreeAddresses",
      )
        ? `EKS reports ${group.issues.map((i) => i.code).join(", ")}: instances could not be created or could not join.`
        : "Instances run but never registered: bootstrap (nodeadm / cloud-init) failed, the AMI does not match the cluster, the node role is not allowed in the cluster (access entry / aws-auth), or the node cannot reach the API endpoint (private endpoint without a route, no NAT for public endpoint access).",
      fix: [
        `aws eks describe-nodegroup --cluster-name ${ctx.clusterName} --nodegroup-name ${group.name} --region ${ctx.region} --query nodegroup.health`,
        ssmFix(first, ctx.region),
        "sudo tail -n 200 /var/log/cloud-init-output.log",
        "sudo journalctl -u nodeadm-config -u nodeadm-run -u kubelet --no-pager | tail -n 100",
        `aws eks list-access-entries --cluster-name ${ctx.clusterName} --region ${ctx.region}`,
        `aws eks describe-cluster --name ${ctx.clusterName} --region ${ctx.region} --query cluster.resourcesVpcConfig`,
      ],
    });
  }
  return findings;
}

export function nodeName(node: V1Node): string {
  return node.metadata?.name ?? "?";
}

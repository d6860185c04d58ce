import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import type { Finding } from "../finding.js";
import { classifyPullError, type PullErrorKind, parseImageRef } from "../parse.js";
import { isKnown } from "../snapshot.js";
import { eventLine, podRef, podResource, type RuleContext } from "./context.js";

const ECR_READ_POLICIES = [
  "AmazonEC2ContainerRegistryReadOnly",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonEC2ContainerRegistryPowerUser",
  "AmazonEC2ContainerRegistryFullAccess",
];

function statuses(pod: V1Pod): V1ContainerStatus[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
}

/** Image pulls that fail, narrowed with ECR's answer (repo vs tag) and the node role's policies. */
export function imagePullRule(ctx: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const pod of ctx.pods) {
    const ns = pod.metadata?.namespace;
    const events = ctx.events("Pod", ns, pod.metadata?.name ?? "");
    for (const cs of statuses(pod)) {
      const waiting = cs.state?.waiting;
      if (
        !waiting ||
        !/^(ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull)$/.test(waiting.reason ?? "")
      )
        continue;
      const image = cs.image || (pod.spec?.containers ?? []).find((c) => c.name === cs.name)?.image || "";
      // The back-off message says nothing; the last "Failed" event carries containerd's error.
      const failed =
        events.filter((e) => e.reason === "Failed" && (e.message ?? "").includes(image)).at(-1) ??
        events.filter((e) => e.reason === "Failed" && /pull/i.test(e.message ?? "")).at(-1);
      const message =
        /Back-off pulling image/.test(waiting.message ?? "") || !waiting.message
          ? (failed?.message ?? waiting.message ?? "")
          : waiting.message;
      const evidence = [
        `container ${cs.name}: waiting ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}`,
      ];
      if (failed && failed.message !== waiting.message) evidence.push(eventLine(failed));
      findings.push(
        pullFinding(ctx, pod, cs.name, image, classifyPullError(waiting.reason, message), evidence),
      );
    }
  }
  return findings;
}

function pullFinding(
  ctx: RuleContext,
  pod: V1Pod,
  container: string,
  image: string,
  raw: PullErrorKind,
  evidence: string[],
): Finding {
  const ref = parseImageRef(image);
  const name = pod.metadata?.name ?? "?";
  let kind: PullErrorKind = raw;
  const fact = ctx.snapshot.aws.ecrImages?.[image];
  if (ref?.ecr && isKnown(fact) && kind !== "invalid-name" && kind !== "rate-limited") {
    evidence.push(
      `ECR ${fact.repository} in ${ref.ecr.region}: ${fact.repositoryExists ? `exists; image ${ref.digest ?? ref.tag ?? "latest"} ${fact.imageExists ? "exists" : "does not exist"}` : "repository does not exist"}`,
    );
    if (!fact.repositoryExists) kind = "repo-missing";
    else if (fact.imageExists === false) kind = "tag-missing";
    else if (kind === "not-found" || kind === "repo-missing" || kind === "tag-missing") kind = "unauthorized";
  } else if (ref?.ecr && fact === "unknown") {
    evidence.push("ECR could not be asked about this image (API unavailable or not permitted)");
  }
  if (kind === "not-found") kind = "tag-missing";
  const resource = podResource(pod);
  const repoName = ref?.repository ?? image;
  const region = ref?.ecr?.region ?? ctx.region;
  const base = { severity: "error" as const, resource, evidence };
  switch (kind) {
    case "repo-missing":
      return {
        ...base,
        code: "pod.image-pull.repo-missing",
        summary: `Pod ${name} (${container}) pulls ${image}: repository ${repoName} does not exist.`,
        cause:
          "The repository is absent from the registry (never created, deleted, wrong name or wrong region/account).",
        fix: ref?.ecr
          ? [
              `aws ecr describe-repositories --region ${region} --query 'repositories[].repositoryName'`,
              "triton-ops up --stage ecr  # creates the project's repository",
              `kubectl -n ${pod.metadata?.namespace ?? "default"} set image deployment/DEPLOYMENT ${container}=CORRECT_IMAGE`,
            ]
          : [
              `check the image name ${image}`,
              `kubectl get pod ${podRef(pod)} -o jsonpath='{.spec.containers[*].image}'`,
            ],
      };
    case "tag-missing":
      return {
        ...base,
        code: "pod.image-pull.tag-missing",
        summary: `Pod ${name} (${container}) pulls ${image}: ${ref?.digest ? "the digest" : `tag ${ref?.tag ?? "latest"}`} is not in ${repoName}.`,
        cause: ref?.ecr
          ? "The repository exists but this tag was never pushed (or was expired by the lifecycle policy)."
          : "The registry answered not found: the tag or the repository does not exist.",
        fix: ref?.ecr
          ? [
              `aws ecr describe-images --repository-name ${repoName} --region ${region} --query 'imageDetails[].imageTags'`,
              `docker push ${ref.registry}/${repoName}:${ref.tag ?? "latest"}  # after aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${ref.registry}`,
              "or set triton.imageTag in triton-ops.yaml to a pushed tag and run triton-ops up --stage workloads",
            ]
          : [
              `crane ls ${ref ? `${ref.registry}/${ref.repository}` : image}  # or check the registry's UI for the tag`,
            ],
      };
    case "unauthorized":
      return unauthorized(ctx, base, name, container, image, ref?.ecr, region);
    case "invalid-name":
      return {
        ...base,
        code: "pod.image-pull.invalid-name",
        summary: `Pod ${name} (${container}) names an invalid image reference: ${image}.`,
        cause:
          "The reference is not [registry/]repository[:tag][@sha256:digest] in lower case (upper-case letters, spaces, an empty tag, a trailing colon).",
        fix: [
          `kubectl get pod ${podRef(pod)} -o jsonpath='{.spec.containers[*].image}'`,
          "fix the image in the manifest and re-apply it",
        ],
      };
    case "rate-limited":
      return {
        ...base,
        code: "pod.image-pull.rate-limited",
        summary: `Pod ${name} (${container}) pulls ${image}: the registry rate-limits this node (toomanyrequests).`,
        cause:
          "Anonymous pulls from Docker Hub are limited per IP; all nodes behind the NAT share one address.",
        fix: [
          `aws ecr create-pull-through-cache-rule --ecr-repository-prefix docker-hub --upstream-registry-url registry-1.docker.io --credential-arn SECRET_ARN --region ${ctx.region}`,
          "copy the image into the project's ECR repository and point the manifest at it",
          "or add an imagePullSecret with Docker Hub credentials",
        ],
      };
    default:
      return {
        ...base,
        code: "pod.image-pull.other",
        summary: `Pod ${name} (${container}) cannot pull ${image}.`,
        cause:
          "The pull failed for a reason doctor does not recognise (network path to the registry, TLS, a registry outage); the event text is the lead.",
        fix: [
          `kubectl describe pod ${podRef(pod)}`,
          "check the nodes' route to the registry (NAT gateway, VPC endpoints for ECR and S3)",
        ],
      };
  }
}

function unauthorized(
  ctx: RuleContext,
  base: { severity: "error"; resource: string; evidence: string[] },
  name: string,
  container: string,
  image: string,
  ecr: { accountId: string; region: string } | undefined,
  region: string,
): Finding {
  const role = ctx.snapshot.aws.nodeRole;
  let cause: string;
  const fix: string[] = [];
  if (ecr && isKnown(role)) {
    const has = role.attachedPolicies.filter((p) => ECR_READ_POLICIES.includes(p));
    base.evidence.push(
      `node role ${role.name} attached policies: ${role.attachedPolicies.join(", ") || "none"}`,
    );
    if (has.length === 0) {
      cause = `The node role ${role.name} lacks ECR read (AmazonEC2ContainerRegistryReadOnly), so the kubelet gets no registry credentials.`;
      fix.push(
        `aws iam attach-role-policy --role-name ${role.name} --policy-arn arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly`,
        "or triton-ops up --stage iam  # the project's node role carries it",
      );
    } else {
      cause =
        "The node role can read ECR, so the repository policy or the registry's account denies it (cross-account pull, or a repository policy without this account).";
      fix.push(`aws ecr get-repository-policy --repository-name REPOSITORY --region ${region}`);
    }
  } else if (ecr) {
    cause =
      "ECR refused the node's credentials: the node role lacks ECR read (AmazonEC2ContainerRegistryReadOnly) or a repository policy denies it. The node role could not be checked.";
    fix.push(
      `aws iam list-attached-role-policies --role-name ${ctx.snapshot.project?.nodeRoleName ?? "NODE_ROLE"}`,
    );
  } else {
    cause =
      "The registry needs credentials the pod does not have (a private repository without an imagePullSecret), or the repository does not exist (Docker Hub answers both the same way).";
    fix.push(
      "kubectl create secret docker-registry regcred --docker-server=REGISTRY --docker-username=USER --docker-password=...",
      "add imagePullSecrets: [{name: regcred}] to the pod spec",
    );
  }
  return {
    ...base,
    code: "pod.image-pull.unauthorized",
    summary: `Pod ${name} (${container}) is not authorised to pull ${image}.`,
    cause,
    fix,
  };
}

/** CrashLoopBackOff (last reason and exit code), OOMKilled, and missing Secret/ConfigMap. */
export function containerStateRule(ctx: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const pod of ctx.pods) {
    const name = pod.metadata?.name ?? "?";
    const ns = pod.metadata?.namespace;
    for (const cs of statuses(pod)) {
      const waiting = cs.state?.waiting;
      const last = cs.lastState?.terminated ?? cs.state?.terminated;
      const oom = last?.reason === "OOMKilled";
      if (
        oom &&
        (waiting?.reason === "CrashLoopBackOff" || (cs.restartCount ?? 0) > 0 || cs.state?.terminated)
      ) {
        const spec = (pod.spec?.containers ?? []).find((c) => c.name === cs.name);
        findings.push({
          code: "pod.oom-killed",
          severity: "error",
          resource: podResource(pod),
          summary: `Pod ${name} (${cs.name}) was killed for using more memory than its limit (${spec?.resources?.limits?.memory ?? "no limit: the node ran out"}).`,
          evidence: [
            `container ${cs.name}: last terminated reason=OOMKilled exitCode=${last?.exitCode ?? 137}${last?.finishedAt ? ` at ${new Date(last.finishedAt as unknown as string).toISOString()}` : ""}, restarts ${cs.restartCount ?? 0}`,
          ],
          cause: "The process outgrew its memory limit (model size, batch size, too many model instances).",
          fix: [
            `kubectl top pod ${podRef(pod)} --containers`,
            `kubectl -n ${ns} set resources deployment/DEPLOYMENT -c ${cs.name} --limits=memory=LARGER --requests=memory=LARGER`,
          ],
        });
        continue;
      }
      if (waiting?.reason === "CrashLoopBackOff") {
        findings.push({
          code: "pod.crash-loop",
          severity: "error",
          resource: podResource(pod),
          summary: `Pod ${name} (${cs.name}) is crash-looping: last exit ${last?.reason ?? "?"}, code ${last?.exitCode ?? "?"}, ${cs.restartCount ?? 0} restarts.`,
          evidence: [
            `container ${cs.name}: waiting CrashLoopBackOff${waiting.message ? `: ${waiting.message}` : ""}`,
            `last terminated reason=${last?.reason ?? "?"} exitCode=${last?.exitCode ?? "?"}${last?.message ? ` message=${last.message.trim()}` : ""}`,
          ],
          cause:
            last?.exitCode === 1 || last?.exitCode === 2
              ? "The process exits with an error at start-up (bad arguments, a model that fails to load, a missing file)."
              : last?.exitCode === 139
                ? "The process segfaults (a driver/CUDA mismatch is common on GPU images)."
                : "The container keeps exiting; its previous logs say why.",
          fix: [
            `kubectl logs ${podRef(pod)} -c ${cs.name} --previous --tail=100`,
            `kubectl describe pod ${podRef(pod)}`,
          ],
        });
      }
      if (waiting?.reason === "CreateContainerConfigError") {
        findings.push(configError(pod, cs.name, waiting.message ?? ""));
      }
    }
    // A missing Secret/ConfigMap volume keeps the pod in ContainerCreating with FailedMount events.
    const mount = ctx
      .events("Pod", ns, name)
      .filter(
        (e) => e.reason === "FailedMount" && /(secret|configmap) "[^"]+" not found/i.test(e.message ?? ""),
      )
      .at(-1);
    if (mount) findings.push(configError(pod, undefined, mount.message ?? "", eventLine(mount)));
  }
  return findings;
}

function configError(pod: V1Pod, container: string | undefined, message: string, line?: string): Finding {
  const m =
    /(secret|configmap)s? "([^"]+)" not found/i.exec(message) ??
    /couldn't find key (\S+) in (Secret|ConfigMap) ([^/\s]+)\/(\S+)/i.exec(message);
  let kind = "Secret or ConfigMap";
  let object = "?";
  if (m && m.length === 3) {
    kind = (m[1] ?? "").toLowerCase() === "secret" ? "Secret" : "ConfigMap";
    object = m[2] ?? "?";
  } else if (m) {
    kind = m[2] ?? kind;
    object = `${m[4]} (key ${m[1]})`;
  }
  const ns = pod.metadata?.namespace ?? "default";
  return {
    code: "pod.config-error",
    severity: "error",
    resource: podResource(pod),
    summary: `Pod ${pod.metadata?.name}${container ? ` (${container})` : ""} refers to ${kind} ${object}, which is missing.`,
    evidence: [line ?? `container ${container}: waiting CreateContainerConfigError: ${message}`],
    cause: `The pod spec needs ${kind} ${ns}/${object} (env, envFrom or a volume) and it does not exist in the namespace.`,
    fix: [
      `kubectl -n ${ns} get ${kind === "Secret" ? "secret" : kind === "ConfigMap" ? "configmap" : "secret,configmap"}`,
      `kubectl -n ${ns} create ${kind === "ConfigMap" ? "configmap" : "secret generic"} ${object.split(" ")[0]} --from-literal=KEY=VALUE`,
    ],
  };
}

/** Pods stuck creating because the node cannot give them an IP (FailedCreatePodSandBox), with subnet headroom. */
export function podIpRule(ctx: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const pod of ctx.pods) {
    if (pod.status?.phase !== "Pending" || !pod.spec?.nodeName) continue;
    const event = ctx
      .events("Pod", pod.metadata?.namespace, pod.metadata?.name ?? "")
      .filter(
        (e) =>
          e.reason === "FailedCreatePodSandBox" &&
          /failed to assign an IP address|no available IP|InsufficientFreeAddressesInSubnet/i.test(
            e.message ?? "",
          ),
      )
      .at(-1);
    if (!event) continue;
    const evidence = [eventLine(event)];
    const subnets = ctx.snapshot.aws.subnets;
    let cause =
      "The VPC CNI on the node has no free IP to give: the node's ENIs are full, or its subnet is out of addresses.";
    if (isKnown(subnets)) {
      for (const s of subnets)
        evidence.push(`subnet ${s.id} (${s.availabilityZone}, ${s.cidr}): ${s.availableIps} free IPs`);
      if (subnets.some((s) => s.availableIps < 16))
        cause =
          "A private subnet of the cluster is (nearly) out of free IP addresses; the CNI cannot attach more.";
    }
    findings.push({
      code: "pod.pending.pod-limit",
      severity: "error",
      resource: podResource(pod),
      summary: `Pod ${pod.metadata?.name} on ${pod.spec.nodeName} gets no IP address.`,
      evidence,
      cause,
      fix: [
        `aws ec2 describe-subnets --filters Name=tag:kubernetes.io/cluster/${ctx.clusterName},Values=shared,owned --region ${ctx.region} --query 'Subnets[].[SubnetId,AvailableIpAddressCount]'`,
        "kubectl -n kube-system set env daemonset aws-node ENABLE_PREFIX_DELEGATION=true WARM_IP_TARGET=2",
        "or widen network.vpcCidr (larger private subnets) and re-create the cluster",
      ],
    });
  }
  return findings;
}

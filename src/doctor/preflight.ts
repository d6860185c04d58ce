import { accountAllowed, getCallerIdentity } from "../aws/identity.js";
import {
  addressAndVpcCounts,
  availableZones,
  instanceTypeOfferings,
  instanceVcpus,
  quotaValue,
} from "../aws/preflight-facts.js";
import { messageOf } from "../errors.js";
import type { Style } from "../io/io.js";
import type { Runtime } from "../runtime.js";
import type { TerraformRunner } from "../terraform/runner.js";
import { readAllStates } from "../terraform/state.js";
import { createDoctorAws } from "./aws.js";
import { plannedCreates } from "./planned-creates.js";
import { isKnown } from "./snapshot.js";

export type CheckStatus = "pass" | "warn" | "fail";

export interface PreflightCheck {
  /** Stable id: terraform, kubectl, aws.credentials, aws.account, aws.azs, gpu.offerings, gpu.quota, aws.eips, aws.vpcs, names.collisions. */
  id: string;
  status: CheckStatus;
  summary: string;
  /** What to do; absent on pass. */
  fix?: string;
}

export interface PreflightResult {
  checks: PreflightCheck[];
}

/** EC2 quota codes for running vCPUs, by instance family class and capacity type. */
export const GPU_QUOTAS = {
  G: { ON_DEMAND: "L-DB2E81BA", SPOT: "L-3819A6DF", label: "G and VT" },
  P: { ON_DEMAND: "L-417A185B", SPOT: "L-7212CCBC", label: "P" },
} as const;
const EIP_QUOTA = { service: "ec2", code: "L-0263D0A3", default: 5 };
const VPC_QUOTA = { service: "vpc", code: "L-F678F1CE", default: 5 };

/** Pure: vCPUs the GPU node group needs at max size, per quota class (g* -> G, p* -> P). */
export function gpuVcpuNeed(
  types: readonly string[],
  vcpus: ReadonlyMap<string, number>,
  maxSize: number,
): Array<{ cls: "G" | "P"; need: number }> {
  const byClass = new Map<"G" | "P", number>();
  for (const t of types) {
    const cls = t.startsWith("p") ? "P" : "G";
    byClass.set(cls, Math.max(byClass.get(cls) ?? 0, vcpus.get(t) ?? 0));
  }
  return [...byClass].map(([cls, per]) => ({ cls, need: per * maxSize }));
}

/**
 * The GPU vCPU quota against what the node group needs at gpu.maxSize: fail when below, warn when the
 * quota cannot be read (no Service Quotas API on the emulator, or not permitted). preflight and `scale`
 * both judge a maxSize by it.
 */
export async function checkGpuQuota(
  aws: Runtime["aws"],
  config: Pick<Runtime["config"], "gpu" | "region">,
): Promise<Omit<PreflightCheck, "id">> {
  const types = config.gpu.instanceTypes;
  const vcpus = await instanceVcpus(aws, types);
  const needs = gpuVcpuNeed(types, vcpus, config.gpu.maxSize);
  const parts: string[] = [];
  let status: CheckStatus = "pass";
  let fix: string | undefined;
  for (const { cls, need } of needs) {
    const q = GPU_QUOTAS[cls];
    const code = q[config.gpu.capacityType];
    const value = await quotaValue(aws, "ec2", code);
    if (value === "unknown") {
      parts.push(`${q.label} ${config.gpu.capacityType} vCPU quota unknown (needs ${need})`);
      if (status === "pass") status = "warn";
      fix ??= `aws service-quotas get-service-quota --service-code ec2 --quota-code ${code} --region ${config.region}`;
    } else if (value < need) {
      parts.push(
        `${q.label} ${config.gpu.capacityType} vCPU quota ${value} < ${need} needed for maxSize ${config.gpu.maxSize}`,
      );
      status = "fail";
      fix = `aws service-quotas request-service-quota-increase --service-code ec2 --quota-code ${code} --desired-value ${need} --region ${config.region}`;
    } else {
      parts.push(`${q.label} ${config.gpu.capacityType} vCPU quota ${value} >= ${need} needed`);
    }
  }
  return {
    status,
    summary: parts.join("; ") || "no GPU instance types described",
    ...(fix ? { fix } : {}),
  };
}

/**
 * The seed's Stage 0: what `up` needs before it touches anything. Cheap: no Terraform plan, a handful of
 * read calls. Each check passes, warns (unknown or optional) or fails with the fix.
 */
export async function runPreflight(rt: Runtime, options: { tf?: TerraformRunner }): Promise<PreflightResult> {
  const { config, aws } = rt;
  const checks: PreflightCheck[] = [];
  const check = async (id: string, fn: () => Promise<Omit<PreflightCheck, "id">>) => {
    try {
      checks.push({ id, ...(await fn()) });
    } catch (error) {
      const e = error as { suggestion?: string };
      checks.push({
        id,
        status: "fail",
        summary: messageOf(error).split("\n")[0] ?? "failed",
        ...(e.suggestion ? { fix: e.suggestion } : {}),
      });
    }
  };

  const tools = Promise.all([
    check("terraform", async () => {
      const { TerraformRunner } = await import("../terraform/runner.js");
      const tf =
        options.tf ?? new TerraformRunner({ binary: config.terraform.binary ?? "terraform", env: rt.env });
      return { status: "pass", summary: `Terraform ${await tf.ensureVersion()}` };
    }),
    check("kubectl", async () => {
      const { execa } = await import("execa");
      try {
        const { stdout } = await execa("kubectl", ["version", "--client", "-o", "json"], {
          env: rt.env,
          timeout: 10_000,
        });
        const v = (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion
          ?.gitVersion;
        return { status: "pass", summary: `kubectl ${v ?? "(version unknown)"}` };
      } catch {
        return {
          status: "warn",
          summary:
            "kubectl not found (optional: triton-ops talks to the API itself; the suggested fixes use kubectl)",
          fix: "Install kubectl: https://kubernetes.io/docs/tasks/tools/",
        };
      }
    }),
  ]);

  let identity: Awaited<ReturnType<typeof getCallerIdentity>> | undefined;
  await check("aws.credentials", async () => {
    identity = await getCallerIdentity(aws);
    return { status: "pass", summary: `AWS credentials: ${identity.arn}` };
  });
  if (!identity) {
    await tools;
    return { checks: order(checks) };
  }
  const account = identity.account;
  await check("aws.account", async () =>
    accountAllowed(account, config.allowedAccountIds)
      ? {
          status: "pass",
          summary:
            config.allowedAccountIds.length === 0
              ? `account ${account} (no allowedAccountIds set)`
              : `account ${account} is allowed`,
        }
      : {
          status: "fail",
          summary: `account ${account} is not in allowedAccountIds (${config.allowedAccountIds.join(", ")})`,
          fix: "Switch AWS_PROFILE to the project's account, or add the account to allowedAccountIds.",
        },
  );

  const states = await readAllStates(rt, options.tf).catch(
    () => ({}) as Awaited<ReturnType<typeof readAllStates>>,
  );
  const vpcApplied = states.vpc !== undefined;
  const appliedZones = states.vpc?.outputs.availability_zones as string[] | undefined;

  let zones: string[] = [];
  await check("aws.azs", async () => {
    const all = await availableZones(aws);
    zones = appliedZones ?? all.slice(0, config.network.azCount);
    if (all.length < config.network.azCount) {
      return {
        status: "fail",
        summary: `${config.region} has ${all.length} available AZs; network.azCount is ${config.network.azCount}`,
        fix: `Set network.azCount to ${all.length} or less in triton-ops.yaml.`,
      };
    }
    return {
      status: "pass",
      summary: `${all.length} AZs in ${config.region}; the VPC uses ${zones.join(", ")}`,
    };
  });

  const types = config.gpu.instanceTypes;
  const work: Array<Promise<void>> = [];
  if (zones.length > 0) {
    work.push(
      check("gpu.offerings", async () => {
        const offered = await instanceTypeOfferings(aws, types, zones);
        const anywhere = types.filter((t) => (offered.get(t) ?? []).length > 0);
        const zonesWithNone = zones.filter((z) => !types.some((t) => offered.get(t)?.includes(z)));
        const detail = types.map((t) => `${t}: ${(offered.get(t) ?? []).join(", ") || "none"}`).join("; ");
        if (anywhere.length === 0) {
          return {
            status: "fail",
            summary: `none of ${types.join(", ")} is offered in ${zones.join(", ")}`,
            fix: `aws ec2 describe-instance-type-offerings --location-type availability-zone --filters Name=instance-type,Values=${types.join(",")} --region ${config.region}  # then change gpu.instanceTypes or region`,
          };
        }
        if (zonesWithNone.length > 0) {
          return {
            status: "warn",
            summary: `no GPU type offered in ${zonesWithNone.join(", ")} (${detail}); GPU nodes only start in the others`,
            fix: "Add an instance type offered there to gpu.instanceTypes, or accept fewer AZs for GPU nodes.",
          };
        }
        return { status: "pass", summary: `GPU types offered in every AZ (${detail})` };
      }),
    );
  }
  work.push(check("gpu.quota", () => checkGpuQuota(aws, config)));
  work.push(
    check("aws.eips", async () => {
      const natEips = vpcApplied ? 0 : config.network.natGateways === "per-az" ? config.network.azCount : 1;
      const [{ addresses, vpcs }, eipQuota, vpcQuota] = await Promise.all([
        addressAndVpcCounts(aws),
        quotaValue(aws, EIP_QUOTA.service, EIP_QUOTA.code),
        quotaValue(aws, VPC_QUOTA.service, VPC_QUOTA.code),
      ]);
      const eipLimit = eipQuota === "unknown" ? EIP_QUOTA.default : eipQuota;
      const vpcLimit = vpcQuota === "unknown" ? VPC_QUOTA.default : vpcQuota;
      const assumed = [eipQuota === "unknown" ? "EIP" : "", vpcQuota === "unknown" ? "VPC" : ""].filter(
        Boolean,
      );
      const note = assumed.length
        ? ` (${assumed.join(" and ")} quota unknown: default ${EIP_QUOTA.default} assumed)`
        : "";
      const problems: string[] = [];
      if (addresses + natEips > eipLimit)
        problems.push(`Elastic IPs ${addresses} in use + ${natEips} for NAT > ${eipLimit}`);
      const vpcNeed = vpcApplied ? 0 : 1;
      if (vpcs + vpcNeed > vpcLimit) problems.push(`VPCs ${vpcs} + ${vpcNeed} > ${vpcLimit}`);
      if (problems.length > 0) {
        return {
          status: "fail",
          summary: `${problems.join("; ")}${note}`,
          fix: "Release unused Elastic IPs / VPCs (triton-ops orphan-scan lists the project's), set network.natGateways: single, or request a quota increase.",
        };
      }
      return {
        status: "pass",
        summary: `Elastic IPs ${addresses}+${natEips} <= ${eipLimit}, VPCs ${vpcs}+${vpcNeed} <= ${vpcLimit}${note}`,
      };
    }),
  );
  work.push(
    check("names.collisions", async () => {
      const creates = plannedCreates(
        config,
        Object.fromEntries(Object.entries(states).map(([s, st]) => [s, st?.resources ?? []])),
      );
      const doctorAws = createDoctorAws(aws, config);
      const found = await doctorAws.existingOutsideState(creates);
      if (!isKnown(found)) {
        return {
          status: "warn",
          summary: `could not check for existing names: ${doctorAws.notes.join(" ")}`,
        };
      }
      if (found.length === 0) {
        return { status: "pass", summary: `none of the ${creates.length} names up would create exists yet` };
      }
      const taken = found.filter((f) => f.notOurs !== undefined);
      const stacks = [...new Set(found.filter((f) => f.notOurs === undefined).map((f) => f.stack))];
      return {
        status: "fail",
        summary: `already exist outside Terraform state: ${found
          .map((f) => `${f.type} ${f.name}${f.notOurs ? ` (${f.notOurs})` : ""}`)
          .join(", ")}`,
        fix: [
          ...(stacks.length > 0
            ? [`triton-ops import --stage ${stacks.join(",")}  # or delete them if they are not wanted`]
            : []),
          ...(taken.length > 0
            ? ["choose another name or environment: another project's resources are never imported"]
            : []),
        ].join("; "),
      };
    }),
  );
  await Promise.all([...work, tools]);
  return { checks: order(checks) };
}

const ORDER = [
  "terraform",
  "kubectl",
  "aws.credentials",
  "aws.account",
  "aws.azs",
  "gpu.offerings",
  "gpu.quota",
  "aws.eips",
  "names.collisions",
];

function order(checks: PreflightCheck[]): PreflightCheck[] {
  return [...checks].sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
}

/** Pure: one line a check, the fix under each warn/fail. */
export function formatPreflight(result: PreflightResult, style: Style): string {
  const mark: Record<CheckStatus, string> = {
    pass: style.green("pass"),
    warn: style.yellow("warn"),
    fail: style.red("FAIL"),
  };
  const lines = result.checks.flatMap((c) => [
    `${mark[c.status]}  ${c.id.padEnd(16)} ${c.summary}`,
    ...(c.fix && c.status !== "pass" ? [`      ${style.dim("fix:")} ${c.fix}`] : []),
  ]);
  const count = (s: CheckStatus) => result.checks.filter((c) => c.status === s).length;
  lines.push(`preflight: ${count("pass")} passed, ${count("warn")} warning(s), ${count("fail")} failed`);
  return lines.join("\n");
}

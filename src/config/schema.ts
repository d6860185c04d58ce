import { z } from "zod";
import {
  cidrsOverlap,
  cidrWithin,
  formatCidr,
  isValidCidr,
  PRIVATE_RANGES,
  parseCidr,
  SMALLEST_SUBNET_PREFIX,
  subnetLayout,
} from "../net/cidr.js";
import { bundledCatalog, defaultVersion, isoDay } from "./kubernetes-versions.js";
import { resourceNames } from "./naming.js";

const namePrefix = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{1,19}$/,
    "lower-case letters, digits and hyphens, 2 to 20 characters, starting with a letter",
  )
  .refine((v) => !v.endsWith("-"), "must not end with a hyphen");

const cidr = z.string().refine(isValidCidr, "must be an IPv4 CIDR such as 10.0.0.0/16");

export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/;
export const GPU_INSTANCE_PATTERN = /^(g4dn|g5|g5g|g6|g6e|gr6|p3|p4d|p4de|p5|p5e)\.[0-9a-z]+$/;
export const KUBERNETES_VERSION_PATTERN = /^1\.(2[89]|3[0-9])$/;

export const STAGES = ["vpc", "iam", "ecr", "eks", "gpu-nodes", "workloads"] as const;
export type StageName = (typeof STAGES)[number];

/** A GitHub numeric id (repository or owner); YAML may give it as a number. */
const githubId = z
  .union([z.string().regex(/^[1-9][0-9]{0,19}$/, "must be GitHub's numeric id"), z.number().int().positive()])
  .transform((v) => String(v));

export const configSchema = z
  .strictObject({
    name: namePrefix.default("triton"),
    environment: z
      .string()
      .regex(/^[a-z][a-z0-9]{0,9}$/, "lower-case letters and digits, 1 to 10 characters (dev, staging, prod)")
      .default("dev"),
    region: z.string().regex(REGION_PATTERN, "must be an AWS region such as us-east-1").default("us-east-1"),
    kubernetesVersion: z
      .string()
      .regex(KUBERNETES_VERSION_PATTERN, "must be a supported EKS minor version, 1.28 to 1.39")
      // The bundled table's newest version in standard support today; `init` asks EKS itself.
      .default(() => defaultVersion(bundledCatalog(), isoDay(new Date()))),
    allowedAccountIds: z.array(z.string().regex(/^[0-9]{12}$/, "must be a 12-digit account id")).default([]),
    tags: z.record(z.string(), z.string()).default({}),
    sandbox: z.boolean().default(false),
    workDir: z.string().min(1).default(".triton-ops"),
    network: z
      .strictObject({
        vpcCidr: cidr.default("10.0.0.0/16"),
        azCount: z.number().int().min(2).max(6).default(3),
        natGateways: z.enum(["single", "per-az"]).default("single"),
        flowLogs: z.boolean().default(false),
      })
      .prefault({}),
    cluster: z
      .strictObject({
        /** Empty means the API endpoint is private only. */
        publicAccessCidrs: z.array(cidr).default([]),
        adminPrincipalArns: z
          .array(z.string().regex(/^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:.+$/, "must be an IAM ARN"))
          .default([]),
        logRetentionDays: z.number().int().positive().default(30),
        /** Where Kubernetes service IPs come from; EKS picks 10.100.0.0/16 or 172.20.0.0/16 when unset. */
        serviceCidr: cidr.optional(),
        /**
         * The cluster's upgrade policy at the end of standard support: EXTENDED (AWS's default) keeps
         * the version at the extended-support price; STANDARD lets EKS upgrade the control plane itself.
         */
        supportType: z.enum(["STANDARD", "EXTENDED"]).default("EXTENDED"),
      })
      .prefault({}),
    gpu: z
      .strictObject({
        instanceTypes: z
          .array(z.string().regex(GPU_INSTANCE_PATTERN, "must be a GPU instance type such as g5.xlarge"))
          .min(1)
          .default(["g5.xlarge"]),
        capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
        minSize: z.number().int().min(0).default(1),
        desiredSize: z.number().int().min(0).default(1),
        maxSize: z.number().int().min(1).default(2),
        rootVolumeSizeGb: z.number().int().min(50).max(2000).default(100),
        /** Nodes replaced at once during a version update (the node groups' update_config). */
        maxUnavailable: z.number().int().min(1).max(100).default(1),
        /** How long a GPU node stays idle before cluster-autoscaler removes it. */
        scaleDownIdleMinutes: z.number().int().min(1).max(1440).default(10),
        /** With capacityType ON_DEMAND: a spot GPU group (min 0) the autoscaler tries first; on-demand is the fallback. */
        spotFirst: z.boolean().default(false),
      })
      .prefault({})
      .check((ctx) => {
        const g = ctx.value;
        if (g.spotFirst && g.capacityType !== "ON_DEMAND") {
          ctx.issues.push({
            code: "custom",
            input: g,
            path: ["spotFirst"],
            message:
              "puts spot in front of an ON_DEMAND group; with capacityType SPOT there is no fallback to add",
          });
        }
        if (g.minSize > g.desiredSize || g.desiredSize > g.maxSize) {
          ctx.issues.push({
            code: "custom",
            input: g,
            path: ["desiredSize"],
            message: `must satisfy minSize <= desiredSize <= maxSize (got ${g.minSize} <= ${g.desiredSize} <= ${g.maxSize})`,
          });
        }
      }),
    systemNodes: z
      .strictObject({
        enabled: z.boolean().default(true),
        instanceTypes: z
          .array(z.string().regex(/^[a-z][a-z0-9]*\.[a-z0-9]+$/, "must be an instance type"))
          .default(["t3.large"]),
        size: z.number().int().min(1).max(20).default(2),
      })
      .prefault({}),
    github: z
      .strictObject({
        repository: z
          .string()
          .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must be OWNER/NAME without wildcards")
          .optional(),
        branch: z.string().min(1).default("main"),
        environment: z.string().optional(),
        /**
         * GitHub's numeric ids of the repository and its owner. With both, the deploy and plan roles also
         * trust the immutable subject `repo:OWNER-OWNERID/NAME-REPOID:...` that repositories created or
         * renamed on github.com since 2026-06-18 send.
         */
        repositoryId: githubId.optional(),
        ownerId: githubId.optional(),
      })
      .prefault({})
      .check((ctx) => {
        if ((ctx.value.repositoryId === undefined) !== (ctx.value.ownerId === undefined)) {
          ctx.issues.push({
            code: "custom",
            input: ctx.value,
            path: [ctx.value.repositoryId === undefined ? "repositoryId" : "ownerId"],
            message:
              "must be set together with github.repositoryId and github.ownerId (the immutable subject needs both)",
          });
        }
      }),
    ci: z
      .strictObject({
        /**
         * The triton-ops the workflows install: a git URL at a commit, a tarball URL, or a registry
         * name@version. No default: the name `triton-ops` is not published on npm.
         */
        cliPackage: z.string().min(1).optional(),
        /** Labels of the self-hosted runner the deploy job needs when the API endpoint is private only. */
        runnerLabels: z
          .array(z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be a runner label"))
          .default(["self-hosted", "linux", "x64"]),
      })
      .prefault({}),
    ecr: z
      .strictObject({
        tagMutability: z.enum(["IMMUTABLE", "MUTABLE"]).default("IMMUTABLE"),
      })
      .prefault({}),
    triton: z
      .strictObject({
        imageTag: z
          .string()
          .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a valid image tag")
          .default("latest"),
        modelRepositoryPath: z.string().default("models"),
        modelControlMode: z.enum(["none", "poll", "explicit"]).default("poll"),
        /** poll mode: Triton's --repository-poll-secs, how often it looks at the model repository for changes. */
        repositoryPollSeconds: z.number().int().min(1).max(3600).default(30),
        serviceType: z.enum(["ClusterIP", "LoadBalancer"]).default("ClusterIP"),
        replicas: z.number().int().min(1).default(1),
        /** When set, an HPA scales Triton between `replicas` and this on its queue time. */
        hpaMaxReplicas: z.number().int().min(1).optional(),
        /** The HPA's target: average queue time per request (microseconds, over 30 s) per replica. */
        hpaTargetQueueTimeUs: z.number().int().min(100).max(60_000_000).default(50_000),
      })
      .prefault({}),
    alerts: z
      .strictObject({
        /** Where Alertmanager sends alerts. A Slack URL is a secret: it comes from TRITON_OPS_SLACK_WEBHOOK_URL. */
        receiver: z
          .discriminatedUnion("type", [
            z.strictObject({ type: z.literal("none") }),
            z.strictObject({
              type: z.literal("webhook"),
              url: z.string().regex(/^https?:\/\/[^\s]+$/, "must be an http(s) URL"),
            }),
            z.strictObject({
              type: z.literal("slack"),
              channel: z
                .string()
                .regex(/^#?[a-z0-9_-]{1,80}$/)
                .optional(),
            }),
            z.strictObject({
              type: z.literal("sns"),
              topicArn: z
                .string()
                .regex(
                  /^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$/,
                  "must be an SNS topic ARN",
                ),
            }),
          ])
          .default({ type: "none" }),
      })
      .prefault({}),
    state: z
      .discriminatedUnion("backend", [
        z.strictObject({ backend: z.literal("local") }),
        z.strictObject({
          backend: z.literal("s3"),
          bucket: z.string().min(3),
          keyPrefix: z.string().default("triton-ops"),
          region: z.string().regex(REGION_PATTERN).optional(),
        }),
      ])
      .default({ backend: "local" }),
    /** Cost estimates: a monthly budget `plan` and `up` hold to, and the usage they assume. */
    cost: z
      .strictObject({
        /** USD a month; a plan whose estimated monthly total is above it is refused. */
        budgetMonthly: z.number().positive().optional(),
        natDataGbMonth: z.number().min(0).default(100),
        logsIngestGbMonth: z.number().min(0).default(5),
        modelRepositoryGb: z.number().min(0).default(20),
        imageStorageGb: z.number().min(0).default(20),
      })
      .prefault({}),
    terraform: z
      .strictObject({
        binary: z.string().optional(),
        /** Directory laid out as a Terraform filesystem_mirror (registry.terraform.io/hashicorp/aws/...). */
        providerMirror: z.string().optional(),
      })
      .prefault({}),
  })
  .check((ctx) => {
    const c = ctx.value;
    const vpc = parseCidr(c.network.vpcCidr);
    if (vpc && (vpc.prefix < 16 || vpc.prefix > 24)) {
      ctx.issues.push({
        code: "custom",
        input: c.network.vpcCidr,
        path: ["network", "vpcCidr"],
        message: "must have a prefix from /16 to /24",
      });
    } else if (vpc) {
      const smallest = subnetLayout(vpc, c.network.azCount).public[0];
      if (smallest && smallest.prefix > SMALLEST_SUBNET_PREFIX) {
        ctx.issues.push({
          code: "custom",
          input: c.network.vpcCidr,
          path: ["network", "vpcCidr"],
          message: `is too small for ${c.network.azCount} AZs: public subnets would be /${smallest.prefix}, AWS allows /${SMALLEST_SUBNET_PREFIX} at the smallest`,
        });
      }
    }
    const service = c.cluster.serviceCidr ? parseCidr(c.cluster.serviceCidr) : undefined;
    if (service) {
      const problem = !PRIVATE_RANGES.some((range) => cidrWithin(service, range))
        ? "must lie within 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"
        : service.prefix < 12 || service.prefix > 24
          ? "must have a prefix from /12 to /24"
          : vpc && cidrsOverlap(service, vpc)
            ? `overlaps network.vpcCidr ${formatCidr(vpc)}: service IPs and pod/node IPs would collide`
            : undefined;
      if (problem) {
        ctx.issues.push({
          code: "custom",
          input: c.cluster.serviceCidr,
          path: ["cluster", "serviceCidr"],
          message: problem,
        });
      }
    }
    // The longest derived IAM role name must fit IAM's 64 characters.
    const longestRole = resourceNames(c).githubActionsRole;
    if (longestRole.length > 64) {
      ctx.issues.push({
        code: "custom",
        input: c.name,
        path: ["name"],
        message: `with environment "${c.environment}" makes role name ${longestRole} (${longestRole.length} characters; IAM allows 64)`,
      });
    }
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type ModelControlMode = Config["triton"]["modelControlMode"];

import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
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

// zod's "mini" build: the same validation with functions in place of chained methods, and 40 KB of code in
// place of 770 KB. Every command loads the config, and the full build took 70 to 100 ms of each start.
// Its messages come from the English locale, as the full build's do.
z.config(en());

/** A string matching `pattern`, with `message` when it does not. */
const matching = (pattern: RegExp, message?: string) => z.string().check(z.regex(pattern, message));
/** A whole number within the bounds given. */
const whole = (min?: number, max?: number) =>
  z.int().check(...(min === undefined ? [] : [z.gte(min)]), ...(max === undefined ? [] : [z.lte(max)]));
const withDefault = z._default;

const namePrefix = matching(
  /^[a-z][a-z0-9-]{1,19}$/,
  "lower-case letters, digits and hyphens, 2 to 20 characters, starting with a letter",
).check(z.refine((v) => !v.endsWith("-"), "must not end with a hyphen"));

const cidr = z.string().check(z.refine(isValidCidr, "must be an IPv4 CIDR such as 10.0.0.0/16"));

export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/;
export const GPU_INSTANCE_PATTERN = /^(g4dn|g5|g5g|g6|g6e|gr6|p3|p4d|p4de|p5|p5e)\.[0-9a-z]+$/;
export const KUBERNETES_VERSION_PATTERN = /^1\.(2[89]|3[0-9])$/;

export { STAGES, type StageName } from "../stages.js";

/** A GitHub numeric id (repository or owner); YAML may give it as a number. */
const githubId = z.pipe(
  z.union([matching(/^[1-9][0-9]{0,19}$/, "must be GitHub's numeric id"), z.int().check(z.positive())]),
  z.transform((v: string | number) => String(v)),
);

export const configSchema = z
  .strictObject({
    name: withDefault(namePrefix, "triton"),
    environment: withDefault(
      matching(
        /^[a-z][a-z0-9]{0,9}$/,
        "lower-case letters and digits, 1 to 10 characters (dev, staging, prod)",
      ),
      "dev",
    ),
    region: withDefault(matching(REGION_PATTERN, "must be an AWS region such as us-east-1"), "us-east-1"),
    kubernetesVersion: withDefault(
      matching(KUBERNETES_VERSION_PATTERN, "must be a supported EKS minor version, 1.28 to 1.39"),
      // The bundled table's newest version in standard support today; `init` asks EKS itself.
      () => defaultVersion(bundledCatalog(), isoDay(new Date())),
    ),
    allowedAccountIds: withDefault(z.array(matching(/^[0-9]{12}$/, "must be a 12-digit account id")), []),
    tags: withDefault(z.record(z.string(), z.string()), {}),
    sandbox: withDefault(z.boolean(), false),
    workDir: withDefault(z.string().check(z.minLength(1)), ".triton-ops"),
    network: z.prefault(
      z.strictObject({
        vpcCidr: withDefault(cidr, "10.0.0.0/16"),
        azCount: withDefault(whole(2, 6), 3),
        natGateways: withDefault(z.enum(["single", "per-az"]), "single"),
        flowLogs: withDefault(z.boolean(), false),
      }),
      {},
    ),
    cluster: z.prefault(
      z.strictObject({
        /** Empty means the API endpoint is private only. */
        publicAccessCidrs: withDefault(z.array(cidr), []),
        adminPrincipalArns: withDefault(
          z.array(matching(/^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:.+$/, "must be an IAM ARN")),
          [],
        ),
        logRetentionDays: withDefault(z.int().check(z.positive()), 30),
        /** Where Kubernetes service IPs come from; EKS picks 10.100.0.0/16 or 172.20.0.0/16 when unset. */
        serviceCidr: z.optional(cidr),
        /**
         * The cluster's upgrade policy at the end of standard support: EXTENDED (AWS's default) keeps
         * the version at the extended-support price; STANDARD lets EKS upgrade the control plane itself.
         */
        supportType: withDefault(z.enum(["STANDARD", "EXTENDED"]), "EXTENDED"),
      }),
      {},
    ),
    gpu: z
      .prefault(
        z.strictObject({
          instanceTypes: withDefault(
            z
              .array(matching(GPU_INSTANCE_PATTERN, "must be a GPU instance type such as g5.xlarge"))
              .check(z.minLength(1)),
            ["g5.xlarge"],
          ),
          capacityType: withDefault(z.enum(["ON_DEMAND", "SPOT"]), "ON_DEMAND"),
          minSize: withDefault(whole(0), 1),
          desiredSize: withDefault(whole(0), 1),
          maxSize: withDefault(whole(1), 2),
          rootVolumeSizeGb: withDefault(whole(50, 2000), 100),
          /** Nodes replaced at once during a version update (the node groups' update_config). */
          maxUnavailable: withDefault(whole(1, 100), 1),
          /** How long a GPU node stays idle before cluster-autoscaler removes it. */
          scaleDownIdleMinutes: withDefault(whole(1, 1440), 10),
          /** With capacityType ON_DEMAND: a spot GPU group (min 0) the autoscaler tries first; on-demand is the fallback. */
          spotFirst: withDefault(z.boolean(), false),
        }),
        {},
      )
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
    systemNodes: z.prefault(
      z.strictObject({
        enabled: withDefault(z.boolean(), true),
        instanceTypes: withDefault(
          z.array(matching(/^[a-z][a-z0-9]*\.[a-z0-9]+$/, "must be an instance type")),
          ["t3.large"],
        ),
        size: withDefault(whole(1, 20), 2),
      }),
      {},
    ),
    github: z
      .prefault(
        z.strictObject({
          repository: z.optional(
            matching(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "must be OWNER/NAME without wildcards"),
          ),
          branch: withDefault(z.string().check(z.minLength(1)), "main"),
          environment: z.optional(z.string()),
          /**
           * GitHub's numeric ids of the repository and its owner. With both, the deploy and plan roles also
           * trust the immutable subject `repo:OWNER-OWNERID/NAME-REPOID:...` that repositories created or
           * renamed on github.com since 2026-06-18 send.
           */
          repositoryId: z.optional(githubId),
          ownerId: z.optional(githubId),
        }),
        {},
      )
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
    ci: z.prefault(
      z.strictObject({
        /**
         * The triton-ops the workflows install: a git URL at a commit, a tarball URL, or a registry
         * name@version. No default: the name `triton-ops` is not published on npm.
         */
        cliPackage: z.optional(z.string().check(z.minLength(1))),
        /** Labels of the self-hosted runner the deploy job needs when the API endpoint is private only. */
        runnerLabels: withDefault(z.array(matching(/^[A-Za-z0-9_.-]+$/, "must be a runner label")), [
          "self-hosted",
          "linux",
          "x64",
        ]),
      }),
      {},
    ),
    ecr: z.prefault(
      z.strictObject({
        tagMutability: withDefault(z.enum(["IMMUTABLE", "MUTABLE"]), "IMMUTABLE"),
        // The model bucket's lifecycle rules (old versions expire, unfinished uploads are aborted). Unset: on,
        // except in the sandbox, where the provider's wait for them costs every apply about a minute.
        modelLifecycle: z.optional(z.boolean()),
        /** Days an overwritten or deleted model file's old version is kept before it expires. */
        modelVersionDays: withDefault(whole(1, 3650), 30),
      }),
      {},
    ),
    triton: z.prefault(
      z.strictObject({
        imageTag: withDefault(
          matching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a valid image tag"),
          "latest",
        ),
        modelRepositoryPath: withDefault(z.string(), "models"),
        modelControlMode: withDefault(z.enum(["none", "poll", "explicit"]), "poll"),
        /** poll mode: Triton's --repository-poll-secs, how often it looks at the model repository for changes. */
        repositoryPollSeconds: withDefault(whole(1, 3600), 30),
        serviceType: withDefault(z.enum(["ClusterIP", "LoadBalancer"]), "ClusterIP"),
        replicas: withDefault(whole(1), 1),
        /** When set, an HPA scales Triton between `replicas` and this on its queue time. */
        hpaMaxReplicas: z.optional(whole(1)),
        /** The HPA's target: average queue time per request (microseconds, over 30 s) per replica. */
        hpaTargetQueueTimeUs: withDefault(whole(100, 60_000_000), 50_000),
      }),
      {},
    ),
    alerts: z.prefault(
      z.strictObject({
        /** Where Alertmanager sends alerts. A Slack URL is a secret: it comes from TRITON_OPS_SLACK_WEBHOOK_URL. */
        receiver: withDefault(
          z.discriminatedUnion("type", [
            z.strictObject({ type: z.literal("none") }),
            z.strictObject({
              type: z.literal("webhook"),
              url: matching(/^https?:\/\/[^\s]+$/, "must be an http(s) URL"),
            }),
            z.strictObject({
              type: z.literal("slack"),
              channel: z.optional(matching(/^#?[a-z0-9_-]{1,80}$/)),
            }),
            z.strictObject({
              type: z.literal("sns"),
              topicArn: matching(
                /^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$/,
                "must be an SNS topic ARN",
              ),
            }),
          ]),
          { type: "none" },
        ),
      }),
      {},
    ),
    state: withDefault(
      z.discriminatedUnion("backend", [
        z.strictObject({ backend: z.literal("local") }),
        z.strictObject({
          backend: z.literal("s3"),
          bucket: z.string().check(z.minLength(3)),
          keyPrefix: withDefault(z.string(), "triton-ops"),
          region: z.optional(matching(REGION_PATTERN)),
        }),
      ]),
      { backend: "local" },
    ),
    /** Cost estimates: a monthly budget `plan` and `up` hold to, and the usage they assume. */
    cost: z.prefault(
      z.strictObject({
        /** USD a month; a plan whose estimated monthly total is above it is refused. */
        budgetMonthly: z.optional(z.number().check(z.positive())),
        natDataGbMonth: withDefault(z.number().check(z.gte(0)), 100),
        logsIngestGbMonth: withDefault(z.number().check(z.gte(0)), 5),
        modelRepositoryGb: withDefault(z.number().check(z.gte(0)), 20),
        imageStorageGb: withDefault(z.number().check(z.gte(0)), 20),
      }),
      {},
    ),
    terraform: z.prefault(
      z.strictObject({
        binary: z.optional(z.string()),
        /** Directory laid out as a Terraform filesystem_mirror (registry.terraform.io/hashicorp/aws/...). */
        providerMirror: z.optional(z.string()),
      }),
      {},
    ),
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
    } else if (
      vpc &&
      Number.isInteger(c.network.azCount) &&
      c.network.azCount >= 2 &&
      c.network.azCount <= 6
    ) {
      // Only for an AZ count that passed its own rule (reported above): the layout of 9 AZs cannot be drawn.
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

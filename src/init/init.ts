import { existsSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { DEFAULT_CONFIG_FILE } from "../config/load.js";
import {
  type ConfigInput,
  configSchema,
  GPU_INSTANCE_PATTERN,
  KUBERNETES_VERSION_PATTERN,
  REGION_PATTERN,
} from "../config/schema.js";
import { describeIssue } from "../config/validate.js";
import { UserError } from "../errors.js";
import { writeFileAtomic } from "../fs-util.js";
import type { Io } from "../io/io.js";

export interface InitAnswers {
  name: string;
  environment: string;
  region: string;
  kubernetesVersion: string;
  gpuInstanceTypes: string[];
  gpuMin: number;
  gpuDesired: number;
  gpuMax: number;
  spot: boolean;
  githubRepository: string | undefined;
  stateBackend: "local" | "s3";
  stateBucket: string | undefined;
  sandbox: boolean;
  /** Absolute path of the offline Terraform provider mirror, recorded so later shells need no variable. */
  providerMirror?: string | undefined;
}

/** kubernetesVersion here is the schema's (bundled-table) default; `init` replaces it with EKS's own. */
export const DEFAULT_ANSWERS: InitAnswers = {
  name: "triton",
  environment: "dev",
  region: "us-east-1",
  kubernetesVersion: configSchema.parse({}).kubernetesVersion,
  gpuInstanceTypes: ["g5.xlarge"],
  gpuMin: 1,
  gpuDesired: 1,
  gpuMax: 2,
  spot: false,
  githubRepository: undefined,
  stateBackend: "local",
  stateBucket: undefined,
  sandbox: false,
};

/** Pure: answers into the document written to triton-ops.yaml (only what differs from defaults, plus the essentials). */
export function configFromAnswers(a: InitAnswers): ConfigInput {
  const doc: ConfigInput = {
    name: a.name,
    environment: a.environment,
    region: a.region,
    kubernetesVersion: a.kubernetesVersion,
    gpu: {
      instanceTypes: a.gpuInstanceTypes,
      capacityType: a.spot ? "SPOT" : "ON_DEMAND",
      minSize: a.gpuMin,
      desiredSize: a.gpuDesired,
      maxSize: a.gpuMax,
    },
  };
  if (a.githubRepository) doc.github = { repository: a.githubRepository };
  doc.state = a.stateBackend === "s3" ? { backend: "s3", bucket: a.stateBucket ?? "" } : { backend: "local" };
  if (a.sandbox) doc.sandbox = true;
  if (a.providerMirror) doc.terraform = { providerMirror: a.providerMirror };
  return doc;
}

/** Validates the document exactly as the loader will, so init never writes a file that fails to load. */
export function validateDocument(doc: ConfigInput): void {
  const parsed = configSchema.safeParse(doc);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new UserError(`Invalid answer: ${describeIssue(first, doc)}`, { code: "config.invalid" });
  }
}

const rule = (pattern: RegExp, text: string) => (value: string) => pattern.test(value.trim()) || text;
const count = (value: string) => /^[0-9]+$/.test(value.trim()) || "a whole number";

/** Asks each question in a terminal; defaults come from flags. */
export async function askAnswers(io: Io, start: InitAnswers): Promise<InitAnswers> {
  const a = { ...start };
  a.region = (
    await io.input("AWS region", {
      default: a.region,
      validate: rule(REGION_PATTERN, "an AWS region such as us-east-1"),
    })
  ).trim();
  a.name = (
    await io.input("Name prefix for every resource", {
      default: a.name,
      validate: rule(/^[a-z][a-z0-9-]{1,19}$/, "2-20 lower-case letters, digits or hyphens"),
    })
  ).trim();
  a.environment = (
    await io.input("Environment", {
      default: a.environment,
      validate: rule(/^[a-z][a-z0-9]{0,9}$/, "e.g. dev, staging, prod"),
    })
  ).trim();
  a.kubernetesVersion = (
    await io.input("Kubernetes version", {
      default: a.kubernetesVersion,
      validate: rule(KUBERNETES_VERSION_PATTERN, `an EKS minor version such as ${start.kubernetesVersion}`),
    })
  ).trim();
  const types = await io.input("GPU instance types (comma-separated)", {
    default: a.gpuInstanceTypes.join(","),
    validate: (v) =>
      v.split(",").every((t) => GPU_INSTANCE_PATTERN.test(t.trim())) ||
      "GPU instance types such as g5.xlarge,g6.xlarge",
  });
  a.gpuInstanceTypes = types.split(",").map((t) => t.trim());
  a.gpuMin = Number(await io.input("GPU nodes: minimum", { default: String(a.gpuMin), validate: count }));
  a.gpuDesired = Number(
    await io.input("GPU nodes: desired", { default: String(a.gpuDesired), validate: count }),
  );
  a.gpuMax = Number(await io.input("GPU nodes: maximum", { default: String(a.gpuMax), validate: count }));
  a.spot = await io.select("GPU capacity", [
    { name: "on-demand", value: false, description: "steady price, no interruptions" },
    { name: "spot", value: true, description: "cheaper, can be reclaimed with two minutes' notice" },
  ]);
  const repo = await io.input("GitHub repository for CI (OWNER/NAME, empty for none)", {
    default: a.githubRepository ?? "",
    validate: (v) =>
      v.trim() === "" || /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(v.trim()) || "OWNER/NAME, no wildcards",
  });
  a.githubRepository = repo.trim() === "" ? undefined : repo.trim();
  a.stateBackend = await io.select<"local" | "s3">("Terraform state", [
    { name: "local", value: "local", description: "files in .triton-ops/ (one operator)" },
    { name: "s3", value: "s3", description: "an S3 bucket with native locking (teams)" },
  ]);
  if (a.stateBackend === "s3") {
    a.stateBucket = (
      await io.input("S3 bucket for state", {
        default: a.stateBucket ?? "",
        validate: (v) => v.trim().length >= 3 || "a bucket name",
      })
    ).trim();
  }
  return a;
}

export interface InitResult {
  file: string;
  config: ConfigInput;
}

export async function writeConfigFile(
  cwd: string,
  file: string | undefined,
  doc: ConfigInput,
  force: boolean,
): Promise<InitResult> {
  validateDocument(doc);
  const target = path.resolve(cwd, file ?? DEFAULT_CONFIG_FILE);
  if (existsSync(target) && !force) {
    throw new UserError(`${path.relative(cwd, target) || target} already exists; not overwriting it.`, {
      code: "init.exists",
      suggestion: "Pass --force to replace it, or edit it by hand.",
    });
  }
  const header = [
    "# triton-ops project configuration: see README.md for every setting.",
    "# Precedence: defaults < this file < TRITON_OPS_* environment variables < command-line flags.",
    "",
  ].join("\n");
  await writeFileAtomic(target, header + stringify(doc));
  return { file: target, config: doc };
}

import { UserError } from "../errors.js";

/**
 * `ci.cliPackage`: the triton-ops the workflows install and run. It is the user's choice, because the
 * name `triton-ops` is not published on the npm registry (as of 2026-12-01) and anyone could register it:
 * a workflow running `npx triton-ops` would hand the deploy role's credentials to whoever did. So there is
 * no default; the spec must pin one build, and it must resolve before a workflow names it.
 */
export type PackageSpecKind = "git" | "tarball" | "registry";

export interface PackageSpec {
  spec: string;
  kind: PackageSpecKind;
  /** Why the spec, though well-formed, will not work on a GitHub-hosted runner (loopback URLs). */
  warning?: string;
}

const SHA = /^[0-9a-f]{40}$/;
// npm names: optional @scope/, lowercase, then an exact version (no ranges, no dist-tags: they move).
const REGISTRY = /^((?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*)@(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

function invalid(spec: string, why: string): UserError {
  return new UserError(`ci.cliPackage ${JSON.stringify(spec)} ${why}`, {
    code: "ci.invalid-cli-package",
    suggestion:
      "Use a git URL at a commit (git+https://github.com/OWNER/triton-ops.git#<40-hex commit>), a tarball URL (https://…/triton-ops-0.1.0.tgz, e.g. from `npm pack`), or a published name at an exact version (@acme/triton-ops@0.1.0).",
  });
}

/** Pure: what kind of spec this is, or the one line that says why it cannot be used. */
export function classifyPackageSpec(spec: string): PackageSpec {
  const s = spec.trim();
  if (s === "") throw invalid(spec, "is empty.");
  if (/^(git\+https|git\+ssh|github):/.test(s)) {
    const hash = s.split("#")[1];
    if (!hash || !SHA.test(hash)) {
      throw invalid(spec, "must name a full commit after `#`: a branch or tag can move under the workflow.");
    }
    return { spec: s, kind: "git" };
  }
  if (/^https?:\/\//.test(s)) {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw invalid(spec, "is not a URL.");
    }
    if (!/\.(tgz|tar\.gz)$/.test(url.pathname)) throw invalid(spec, "is a URL but not of a .tgz tarball.");
    if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) {
      throw invalid(spec, "is plain http: the package would be fetched unauthenticated and unencrypted.");
    }
    return LOOPBACK.has(url.hostname)
      ? { spec: s, kind: "tarball", warning: `${url.host} is this machine: a GitHub runner cannot fetch it.` }
      : { spec: s, kind: "tarball" };
  }
  const registry = REGISTRY.exec(s);
  if (registry) return { spec: s, kind: "registry" };
  if (/^(@[^/]+\/)?[^@]+(@.*)?$/.test(s)) {
    throw invalid(
      spec,
      "must be a name at an exact version (x.y.z): ranges and tags resolve to new code later.",
    );
  }
  throw invalid(spec, "is not a git URL, a tarball URL or a registry name@version.");
}

export interface ResolvedPackage {
  name: string;
  version: string;
}

/**
 * How a spec is resolved, with npm's own client: `npm view SPEC name version --json` for a registry
 * version, `npm pack SPEC --dry-run --json --ignore-scripts` for a git or tarball URL (npm view only
 * answers for registry names; pack fetches and reads the package without writing it or running scripts).
 */
export type PackageResolver = (spec: string) => Promise<ResolvedPackage | { error: string }>;

export const npmViewResolver: PackageResolver = async (spec) => {
  const { execa } = await import("execa");
  const { tmpdir } = await import("node:os");
  const kind = classifyPackageSpec(spec).kind;
  const args =
    kind === "registry"
      ? ["view", spec, "name", "version", "--json"]
      : ["pack", spec, "--dry-run", "--json", "--ignore-scripts"];
  const out = await execa("npm", args, {
    reject: false,
    timeout: 120_000,
    cwd: tmpdir(),
    env: { npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" },
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(`${out.stdout}`);
  } catch {
    parsed = undefined;
  }
  const manifest = (Array.isArray(parsed) ? parsed[0] : parsed) as
    | { name?: string; version?: string; error?: { summary?: string } }
    | undefined;
  if (out.exitCode === 0 && manifest?.name && manifest.version) {
    return { name: manifest.name, version: manifest.version };
  }
  const fromJson = manifest?.error?.summary?.split("\n")[0];
  const fromStderr = `${out.stderr}`
    .split("\n")
    .map((l) => l.replace(/^npm (error|ERR!)\s*/, "").trim())
    .find((l) => l !== "" && !/^(A complete log|code E|\{|\})/.test(l));
  return { error: fromJson || fromStderr || `npm ${args[0]} exited ${out.exitCode}` };
};

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";
import { writeFileAtomicSync } from "../fs-util.js";
import { cacheRoot, PACKAGE_ROOT } from "../paths.js";

/**
 * The one loader of AWS SDK v3 client packages: every module in src/aws/ gets its client classes and
 * commands from `sdk` below, lazily (never at start-up) and cheaply:
 *
 * - with require(), not import(): each ships one large CommonJS bundle, and import() of CommonJS makes
 *   Node scan the whole source for export names first (cjs-module-lexer).
 * - with a V8 code cache: on Node 20 the few lines below keep compiled code for files under node_modules
 *   in the user's cache directory, and fall back to a plain compile on any problem. A cache entry is
 *   keyed by Node version, path, size and mtime, so it never serves stale code. Where Node has
 *   module.enableCompileCache (22.1 and later) that is used instead.
 *
 * Measured on Node 20.20 on the 2-core test machine (`node scripts/measure-sdk-loader.mjs 5`, fresh process
 * per load of the nine clients an orphan scan needs, median): with the surface bundles (loadClient below)
 * 138 ms wall and 167 ms CPU with the cache, 194 / 221 ms without it; the whole packages took 306 ms wall
 * and about 388 ms CPU with the cache. The cache still pays (about a quarter of the load), so it stays.
 */
const requireCjs = createRequire(import.meta.url);

/** Defined by scripts/bundle.mjs: a digest of dist/ and package-lock.json. */
declare const __TRITON_OPS_BUILD__: string | undefined;
/** Where the build writes each client's surface bundle (see loadClient below). */
const SURFACE_DIR = path.join(PACKAGE_ROOT, "bundle", "aws-sdk");

interface CompilingModule {
  _compile(content: string, filename: string): unknown;
  require(request: string): unknown;
}
type ModuleClass = {
  prototype: CompilingModule;
  wrap(content: string): string;
  _resolveFilename(
    request: string,
    parent: (CompilingModule & { path?: string }) | undefined,
    isMain: boolean,
    options?: object,
  ): string;
  _cache: Record<string, unknown>;
  enableCompileCache?: (dir?: string) => unknown;
};

/**
 * What the hand-written cache did in this process: entries V8 accepted, compiled without an entry, and
 * entries V8 rejected (stale or corrupt, then rewritten). Read by the cache's own test, which has no
 * other way to tell a cache that is read from one that is only written.
 */
export const codeCacheStats = { accepted: 0, missing: 0, rejected: 0 };

function cacheDir(): string | undefined {
  const root = cacheRoot(process.env);
  if (!root || process.env.TRITON_OPS_NO_COMPILE_CACHE) return undefined;
  return path.join(root, `v8-${process.version}`);
}

/** The cache directory this process has made (or handed to enableCompileCache): once, not per sdk.x() call. */
let preparedCacheDir: string | undefined;

function loadWithCodeCache<T>(id: string): T {
  const dir = cacheDir();
  const Module = requireCjs("node:module") as ModuleClass;
  if (!dir) return requireCjs(id) as T;
  return withRememberedPaths(Module, () => compileWithCache<T>(Module, dir, id));
}

function compileWithCache<T>(Module: ModuleClass, dir: string, id: string): T {
  if (typeof Module.enableCompileCache === "function") {
    if (preparedCacheDir !== dir) {
      Module.enableCompileCache(dir);
      preparedCacheDir = dir;
    }
    return requireCjs(id) as T;
  }
  if (preparedCacheDir !== dir) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch {
      return requireCjs(id) as T;
    }
    preparedCacheDir = dir;
  }
  const original = Module.prototype._compile;
  Module.prototype._compile = function compileCached(
    this: CompilingModule & { exports: unknown },
    content,
    filename,
  ) {
    if (
      !filename.includes(`${path.sep}node_modules${path.sep}`) &&
      !filename.startsWith(SURFACE_DIR + path.sep)
    )
      return original.call(this, content, filename);
    let entry: string;
    try {
      const info = statSync(filename);
      entry = path.join(
        dir,
        createHash("sha1").update(`${filename}|${info.size}|${info.mtimeMs}`).digest("hex"),
      );
    } catch {
      return original.call(this, content, filename);
    }
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(entry);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(content), { filename, ...(cachedData ? { cachedData } : {}) });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    // The module's own require, as Node builds it: createRequire(filename) would make a parent module and
    // resolve its paths for each of the SDK's files, about 20 ms of the nine clients' load on Node 20.
    const moduleRequire = Object.assign((request: string) => this.require(request), {
      resolve: (request: string, options?: { paths?: string[] }) =>
        Module._resolveFilename(request, this, false, options),
      cache: Module._cache,
    });
    const result = wrapper.call(
      this.exports,
      this.exports,
      moduleRequire,
      this,
      filename,
      path.dirname(filename),
    );
    if (!cachedData) codeCacheStats.missing += 1;
    else if (script.cachedDataRejected) codeCacheStats.rejected += 1;
    else codeCacheStats.accepted += 1;
    if (!cachedData || script.cachedDataRejected) {
      try {
        // Atomic, so a concurrent run never reads half an entry.
        writeFileAtomicSync(entry, script.createCachedData(), { secret: true, dirMode: 0o700 });
      } catch {
        // A read-only or full disk only costs the next run the compile time.
      }
    }
    return result;
  };
  try {
    return requireCjs(id) as T;
  } finally {
    Module.prototype._compile = original;
  }
}

/**
 * Where each `require` made while loading the SDK led, remembered per build and Node version. Loading the
 * S3 client asks Node to resolve 132 package names (103 distinct), each a walk up node_modules and a read of
 * the package's `exports`: 18-25 ms of `models sync`'s path to its first request on Node 20 and 26 alike,
 * on the 2-core test machine. The answers depend only on the installed tree, which the build id covers
 * (it digests package-lock.json), and on Node's resolution rules, which the Node version covers; a file
 * that has gone is resolved again. Only the bundle defines a build id: from dist/ (the tests) nothing is
 * remembered across processes.
 */
interface RememberedPaths {
  file: string | undefined;
  build: string | undefined;
  byRequest: Map<string, string>;
  /** Files seen to exist in this process. */
  present: Set<string>;
  changed: boolean;
}

let rememberedPaths: RememberedPaths | undefined;

function openRememberedPaths(): RememberedPaths {
  if (rememberedPaths) return rememberedPaths;
  const build = typeof __TRITON_OPS_BUILD__ === "string" ? __TRITON_OPS_BUILD__ : undefined;
  const root = cacheRoot(process.env);
  const file =
    build && root && !process.env.TRITON_OPS_NO_COMPILE_CACHE
      ? path.join(root, `sdk-paths-${process.version}.json`)
      : undefined;
  const byRequest = new Map<string, string>();
  if (file) {
    try {
      const doc = JSON.parse(readFileSync(file, "utf8")) as {
        build?: unknown;
        root?: unknown;
        paths?: unknown;
      };
      if (doc.build === build && doc.root === PACKAGE_ROOT && doc.paths && typeof doc.paths === "object") {
        for (const [key, value] of Object.entries(doc.paths))
          if (typeof value === "string") byRequest.set(key, value);
      }
    } catch {
      // Absent or unreadable: every path is resolved, and the file written afresh.
    }
  }
  rememberedPaths = { file, build, byRequest, present: new Set(), changed: false };
  return rememberedPaths;
}

function withRememberedPaths<T>(Module: ModuleClass, load: () => T): T {
  const memo = openRememberedPaths();
  const original = Module._resolveFilename;
  Module._resolveFilename = function rememberedResolve(request, parent, isMain, options) {
    // Node's own key for a parent's resolutions: its directory and the request.
    const key =
      parent?.path !== undefined && options === undefined ? `${parent.path}\0${request}` : undefined;
    if (key !== undefined) {
      const known = memo.byRequest.get(key);
      if (known !== undefined && (memo.present.has(known) || existsSync(known))) {
        memo.present.add(known);
        return known;
      }
    }
    const found = original.call(this, request, parent, isMain, options);
    if (key !== undefined && path.isAbsolute(found)) {
      memo.byRequest.set(key, found);
      memo.present.add(found);
      memo.changed = true;
    }
    return found;
  };
  try {
    return load();
  } finally {
    Module._resolveFilename = original;
    if (memo.changed && memo.file) {
      memo.changed = false;
      try {
        writeFileAtomicSync(
          memo.file,
          JSON.stringify({
            build: memo.build,
            root: PACKAGE_ROOT,
            paths: Object.fromEntries(memo.byRequest),
          }),
          { secret: true, dirMode: 0o700 },
        );
      } catch {
        // Unwritable: the next run resolves again.
      }
    }
  }
}

/**
 * Each client's surface: the classes and commands the product uses, listed in src/aws/sdk-surface/. The
 * build bundles each list into bundle/aws-sdk/<name>.cjs with everything else in the client shaken out
 * (scripts/bundle.mjs), and that file is what is loaded. Where it is absent (the sources run directly, as
 * the unit tests do) the whole client package stands in; it has the same classes, and more.
 */
function loadClient<T>(surface: string, packageName: string): T {
  let id = resolvedClients.get(surface);
  if (id === undefined) {
    const built = path.join(SURFACE_DIR, `${surface}.cjs`);
    id = existsSync(built) ? built : packageName;
    resolvedClients.set(surface, id);
  }
  return loadWithCodeCache<T>(id);
}
/**
 * What each surface loads from, looked up once per process. The package name each sdk entry passes is
 * the one its surface file exports from; test/orphans/sdk-surface.integration.test.ts holds the two
 * together.
 */
const resolvedClients = new Map<string, string>();

export const sdk = {
  ec2: () => loadClient<typeof import("./sdk-surface/ec2.js")>("ec2", "@aws-sdk/client-ec2"),
  eks: () => loadClient<typeof import("./sdk-surface/eks.js")>("eks", "@aws-sdk/client-eks"),
  iam: () => loadClient<typeof import("./sdk-surface/iam.js")>("iam", "@aws-sdk/client-iam"),
  ecr: () => loadClient<typeof import("./sdk-surface/ecr.js")>("ecr", "@aws-sdk/client-ecr"),
  kms: () => loadClient<typeof import("./sdk-surface/kms.js")>("kms", "@aws-sdk/client-kms"),
  s3: () => loadClient<typeof import("./sdk-surface/s3.js")>("s3", "@aws-sdk/client-s3"),
  logs: () => loadClient<typeof import("./sdk-surface/logs.js")>("logs", "@aws-sdk/client-cloudwatch-logs"),
  elb: () =>
    loadClient<typeof import("./sdk-surface/elb.js")>("elb", "@aws-sdk/client-elastic-load-balancing"),
  elbv2: () =>
    loadClient<typeof import("./sdk-surface/elbv2.js")>("elbv2", "@aws-sdk/client-elastic-load-balancing-v2"),
  sts: () => loadClient<typeof import("./sdk-surface/sts.js")>("sts", "@aws-sdk/client-sts"),
  autoScaling: () =>
    loadClient<typeof import("./sdk-surface/auto-scaling.js")>(
      "auto-scaling",
      "@aws-sdk/client-auto-scaling",
    ),
  serviceQuotas: () =>
    loadClient<typeof import("./sdk-surface/service-quotas.js")>(
      "service-quotas",
      "@aws-sdk/client-service-quotas",
    ),
  pricing: () => loadClient<typeof import("./sdk-surface/pricing.js")>("pricing", "@aws-sdk/client-pricing"),
};

import { Command } from "commander";
import type { CliContext } from "../context.js";
import { createIo, globalOptions, loadProjectConfig, setExitCode } from "./shared.js";

interface LintFlags {
  json?: boolean;
  gpusPerNode?: string;
}

export function modelsCommand(ctx: CliContext): Command {
  const models = new Command("models").description(
    "the model repository: lint it offline, sync it to the model bucket, and load, check and call models in Triton",
  );

  models
    .command("lint")
    .description("check a Triton model repository the way Triton checks it at load time, offline")
    .argument("[dir]", "the model repository", "./models")
    .option("--json", "print the result as JSON")
    .option("--gpus-per-node <n>", "GPUs on each GPU node (default: from the project's gpu.instanceTypes)")
    .action(async (dir: string, flags: LintFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      let gpus = await gpusFromFlag(flags.gpusPerNode);
      const path = await import("node:path");
      const [{ readRepository }, { lintRepository, formatLint }] = await Promise.all([
        import("../models/repository.js"),
        import("../models/lint.js"),
      ]);
      const snapshot = await readRepository(path.resolve(ctx.cwd, dir));
      if (!gpus) gpus = await projectGpus(ctx, command, io);
      const result = lintRepository(
        snapshot,
        gpus ? { gpusPerNode: gpus.count, gpuSource: gpus.source } : {},
      );
      io.result(result, () => formatLint(result, io.style));
      setExitCode(command, result.ok ? 0 : 1);
    });

  models
    .command("sync")
    .description("lint the repository, then upload new and changed files to the model bucket")
    .argument("[dir]", "the model repository", "./models")
    .option("--delete", "also delete remote files that are not in the repository (asks first)")
    .option("--dry-run", "print what would change and change nothing")
    .option("--yes", "do not ask before deleting")
    .option("--gpus-per-node <n>", "GPUs on each GPU node, for the lint (default: from gpu.instanceTypes)")
    .option("--json", "print the result as JSON")
    .option("--bucket <name>", "the model bucket (default: the ecr stage's output), for CI without the state")
    .option("--load", "explicit mode: then load the models through Triton's API and wait until READY")
    .option("--wait", "poll mode: then wait until Triton has picked the models up and they are READY")
    .option("--timeout <s>", "how long --load/--wait wait for READY", "300")
    .option("--url <url>", "with --load/--wait: talk to Triton directly (http://HOST:8000)")
    .option("--kubeconfig <file>", "with --load/--wait: kubeconfig to reach Triton through")
    .option("--context <name>", "with --load/--wait: kubeconfig context")
    .action(async (dir: string, flags: SyncFlags & TritonFlags & ControlFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const path = await import("node:path");
      const [{ createRuntime }, { UserError }, { modelKeyPrefix }] = await Promise.all([
        import("../runtime.js"),
        import("../errors.js"),
        import("../config/naming.js"),
      ]);
      if (flags.bucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(flags.bucket)) {
        throw new UserError(`--bucket ${flags.bucket} is not an S3 bucket name.`, {
          code: "models.bad-bucket",
        });
      }
      const rt = await createRuntime(ctx, command, io);
      const prefix = modelKeyPrefix(rt.config.triton.modelRepositoryPath);
      // The bucket's listing is sent before the repository is read and linted, which then run while S3 (or
      // the emulator, 190 ms for 1,000 keys) prepares its answer. It only reads: nothing is changed unless
      // the lint passes, and a lint error is reported whatever the listing found.
      const remote = (async () => {
        const [{ readStackState }, { openModelStore }] = await Promise.all([
          import("../terraform/state.js"),
          import("../aws/model-store.js"),
        ]);
        const bucket =
          flags.bucket ??
          ((await readStackState(rt, "ecr"))?.outputs.model_bucket_name as string | undefined);
        if (!bucket) {
          throw new UserError("The model bucket is not known: the ecr stage has not been applied.", {
            code: "models.no-bucket",
            suggestion: "Run `triton-ops up --stage vpc,iam,ecr` first.",
          });
        }
        const store = await openModelStore(rt.aws, bucket);
        const listing = store.list(prefix);
        listing.catch(() => undefined); // awaited by runSync, or dropped with a lint error
        return { bucket, store, listing };
      })();
      // The repository reader and the lint load only once the listing is on its way (`remote` settles
      // when it has been sent): nothing of theirs is needed to send it. A failure of `remote` is raised
      // below, after the lint.
      await remote.catch(() => undefined);
      // The flags are checked here, still before the lint and before any failure of `remote` is raised, and
      // off the listing's path: the control module brings the Triton client with it.
      const [control, { readRepository }, { lintRepository, formatLint }] = await Promise.all([
        import("../models/control.js"),
        import("../models/repository.js"),
        import("../models/lint.js"),
      ]);
      let waitMode: ReturnType<typeof control.checkControlFlags>;
      let timeoutS: number;
      try {
        waitMode = control.checkControlFlags(rt.config.triton.modelControlMode, flags);
        timeoutS = await timeoutFromFlag(flags.timeout);
      } catch (error) {
        (await remote.catch(() => undefined))?.store.close();
        throw error;
      }
      const snapshot = await readRepository(path.resolve(ctx.cwd, dir));
      const gpus =
        (await gpusFromFlag(flags.gpusPerNode)) ??
        (await projectGpus(ctx, command, io, { config: rt.config, file: rt.configFile }));
      const lint = lintRepository(snapshot, gpus ? { gpusPerNode: gpus.count, gpuSource: gpus.source } : {});
      if (!lint.ok) {
        (await remote.catch(() => undefined))?.store.close();
        io.result(
          { ok: false, lint },
          () => `${formatLint(lint, io.style)}\nLint found errors: nothing was uploaded.`,
        );
        setExitCode(command, 1);
        return;
      }
      const { bucket, store, listing } = await remote;
      const [{ runSync, formatSync }, { ETAG_CACHE_FILE }] = await Promise.all([
        import("../models/sync.js"),
        import("../models/etag-cache.js"),
      ]);
      const progress = io.progress("models-sync");
      try {
        const result = await runSync(store, {
          root: snapshot.root,
          bucket,
          prefix,
          delete: flags.delete === true,
          dryRun: flags.dryRun === true,
          cacheFile: path.join(rt.envDir, ETAG_CACHE_FILE),
          listing,
          onProgress: (done, total, bytes) =>
            progress.update(`uploaded ${done}/${total} file(s), ${Math.round(bytes / 1048576)} MiB`),
          ...(flags.yes
            ? {}
            : {
                confirmRemove: (keys: string[]) =>
                  io.confirm(
                    `Delete ${keys.length} file(s) from s3://${bucket}/${prefix} that are not in ${dir}?`,
                    { default: false },
                  ),
              }),
        });
        progress.done(result.ok ? "sync done" : "sync declined", result.ok ? "success" : "skip");
        if (!result.ok || flags.dryRun || !waitMode) {
          if (result.ok && !flags.dryRun) io.info(control.pickupNote(rt.config.triton));
          io.result({ ...result, lint }, () => formatSync(result));
          setExitCode(command, result.ok ? 0 : 1);
          return;
        }
        // Explicit mode loads on every replica; poll mode's replicas each poll the repository themselves.
        const transports = await tritonTransports(ctx, command, io, flags, waitMode === "explicit");
        const line = io.progress("models-ready");
        const names = snapshot.models.map((m) => m.name);
        const triton = await control.loadAndWaitAll(transports, names, {
          mode: waitMode,
          unload: control.removedModels(result.deleted, prefix, names),
          timeoutMs: timeoutS * 1000,
          pollIntervalMs: rt.config.triton.repositoryPollSeconds * 1000,
          onProgress: (text) => line.update(text),
        });
        line.done(triton.ok ? "models READY" : "models not READY", triton.ok ? "success" : "fail");
        io.result(
          { ...result, lint, triton },
          () => `${formatSync(result)}\n${control.formatWait(triton, timeoutS)}`,
        );
        setExitCode(command, triton.ok ? 0 : 1);
      } finally {
        store.close();
      }
    });

  const reach = (c: Command) =>
    c
      .option(
        "--url <url>",
        "talk to Triton directly (http://HOST:8000) instead of through the Kubernetes API",
      )
      .option("--kubeconfig <file>", "kubeconfig to use (default: KUBECONFIG or ~/.kube/config)")
      .option("--context <name>", "kubeconfig context")
      .option("--json", "print the result as JSON");

  reach(
    models.command("status").description("every model in Triton's repository, with its state and readiness"),
  ).action(async (flags: TritonFlags, command: Command) => {
    const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
    const { modelsStatusAll } = await import("../models/triton.js");
    // Each replica: through the Service, the status would be whichever pod answered.
    const result = await modelsStatusAll(await tritonTransports(ctx, command, io, flags));
    io.result(result, () => {
      if (result.models.length === 0) return `Triton at ${result.address} has no models in its repository.`;
      const rows = result.models.map((m) => [
        m.name,
        m.version ?? "-",
        m.state,
        m.ready ? "yes" : "no",
        m.reason,
      ]);
      return io.table(
        [
          { header: "MODEL" },
          { header: "VERSION" },
          { header: "STATE" },
          { header: "READY" },
          { header: "REASON" },
        ],
        rows,
      );
    });
    setExitCode(command, result.ok ? 0 : 1);
  });

  for (const action of ["load", "unload"] as const) {
    reach(
      models
        .command(action)
        .description(
          action === "load"
            ? "load a model (Triton in explicit model control mode)"
            : "unload a model (explicit mode)",
        )
        .argument("<name>", "model name, as in the repository"),
    ).action(async (name: string, flags: TritonFlags, command: Command) => {
      const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
      const { requireKnownModel, loadOrUnload, modelReady } = await import("../models/triton.js");
      // Every replica: a model loaded (or unloaded) on one of them answers (or not) a share of the requests.
      const transports = await tritonTransports(ctx, command, io, flags);
      const replicas = await Promise.all(
        transports.map(async (transport) => {
          await requireKnownModel(transport, name);
          await loadOrUnload(transport, name, action);
          return { address: transport.address, ready: await modelReady(transport, name) };
        }),
      );
      const address = replicas.map((r) => r.address).join(", ");
      const result = {
        model: name,
        action,
        // Loaded: ready on every replica. Unloaded: ready on none (still ready on one is a failure).
        ready: action === "load" ? replicas.every((r) => r.ready) : replicas.some((r) => r.ready),
        address,
        ...(replicas.length > 1 ? { replicas } : {}),
      };
      io.result(
        result,
        () =>
          `${action === "load" ? "Loaded" : "Unloaded"} ${name} on ${address}; ready: ${result.ready ? "yes" : "no"}.`,
      );
      setExitCode(command, (action === "load") === result.ready ? 0 : 1);
    });
  }

  reach(
    models
      .command("infer")
      .description("send one inference built from the model's metadata and check the answer against it")
      .argument("<name>", "model name")
      .option("--input <file>", "a JSON inference request body to send instead of the generated one"),
  ).action(async (name: string, flags: TritonFlags & { input?: string }, command: Command) => {
    const io = createIo(ctx, { ...globalOptions(command), json: flags.json });
    const { UserError } = await import("../errors.js");
    let request: unknown;
    if (flags.input !== undefined) {
      const { readFile } = await import("node:fs/promises");
      const path = await import("node:path");
      const text = await readFile(path.resolve(ctx.cwd, flags.input), "utf8").catch(() => undefined);
      if (text === undefined)
        throw new UserError(`--input ${flags.input} cannot be read.`, { code: "models.bad-input" });
      try {
        request = JSON.parse(text);
      } catch {
        throw new UserError(`--input ${flags.input} is not JSON.`, { code: "models.bad-input" });
      }
    }
    const { requireKnownModel, inferOnce } = await import("../models/triton.js");
    const transport = await tritonTransport(ctx, command, io, flags);
    await requireKnownModel(transport, name);
    const result = await inferOnce(transport, name, request);
    io.result(result, () =>
      result.ok
        ? `${name} answered in ${result.latencyMs} ms: ${result.outputs.map((o) => `${o.name} ${o.datatype}[${o.shape.join(",")}]`).join(", ")}`
        : `${name} failed (${result.status}, ${result.latencyMs} ms): ${result.problems.join("; ")}`,
    );
    setExitCode(command, result.ok ? 0 : 1);
  });

  return models;
}

interface SyncFlags {
  bucket?: string;
  delete?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  gpusPerNode?: string;
}

interface ControlFlags {
  load?: boolean;
  wait?: boolean;
  timeout?: string;
}

async function timeoutFromFlag(value: string | undefined): Promise<number> {
  const n = Number(value ?? "300");
  if (!Number.isInteger(n) || n < 1 || n > 86_400) {
    const { UserError } = await import("../errors.js");
    throw new UserError(`--timeout ${value} is not a whole number of seconds between 1 and 86400.`, {
      code: "models.bad-timeout",
    });
  }
  return n;
}

interface TritonFlags {
  url?: string;
  kubeconfig?: string;
  context?: string;
  json?: boolean;
}

/** --url goes straight to Triton; otherwise the Kubernetes API's service proxy to the triton Service. */
async function tritonTransport(
  ctx: CliContext,
  command: Command,
  io: import("../io/io.js").Io,
  flags: TritonFlags,
): Promise<import("../models/triton.js").TritonTransport> {
  const [first] = await tritonTransports(ctx, command, io, flags, false);
  if (!first) throw new Error("tritonTransports answered no transport");
  return first;
}

/**
 * Where a load must go: with --url, that one address; otherwise every Triton replica through its pod's
 * proxy (`perReplica`), or the triton Service when one replica is all there is.
 */
async function tritonTransports(
  ctx: CliContext,
  command: Command,
  io: import("../io/io.js").Io,
  flags: TritonFlags,
  perReplica = true,
): Promise<import("../models/triton.js").TritonTransport[]> {
  const triton = await import("../models/triton.js");
  if (flags.url) return [triton.directTransport(flags.url)];
  const [{ resolveTarget }, { UserError }] = await Promise.all([
    import("../targets.js"),
    import("../errors.js"),
  ]);
  const target = await resolveTarget(ctx, command, io, {
    ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context ? { context: flags.context } : {}),
    needsAws: false,
  });
  if (target.kubeUnavailable && !flags.kubeconfig) {
    throw new UserError(`No Kubernetes API to reach Triton through: ${target.kubeUnavailable}.`, {
      code: "models.no-kube",
      suggestion: "Pass --url http://HOST:8000 (a port-forward or load balancer), or --kubeconfig.",
    });
  }
  const kube = await target.connectKube();
  const namespace = target.names.tritonNamespace;
  return perReplica ? triton.servingTransports(kube, namespace) : [triton.proxyTransport(kube, namespace)];
}

async function gpusFromFlag(
  value: string | undefined,
): Promise<{ count: number; source: string } | undefined> {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    const { UserError } = await import("../errors.js");
    throw new UserError(`--gpus-per-node ${value} is not a whole number between 1 and 64.`, {
      code: "models.bad-gpus-per-node",
    });
  }
  return { count: n, source: "--gpus-per-node" };
}

/**
 * GPUs per node from the project's gpu.instanceTypes, when there is a project config: EC2
 * DescribeInstanceTypes when AWS credentials are configured (never on the sandbox), else the bundled table.
 */
async function projectGpus(
  ctx: CliContext,
  command: Command,
  io: import("../io/io.js").Io,
  /** The config the command already loaded, so it is not read and validated twice. */
  already?: { config: import("../config/schema.js").Config; file: string | undefined },
): Promise<{ count: number; source: string } | undefined> {
  const loaded = already ?? (await loadProjectConfig(ctx, command, io).catch(() => undefined));
  if (!loaded?.file) return undefined;
  const [{ resolveGpusPerNode }, { mayHaveAwsAccess, today }] = await Promise.all([
    import("../models/gpu-count.js"),
    import("../versions/catalog.js"),
  ]);
  const c = loaded.config;
  const env = ctx.env;
  const asked = !c.sandbox && mayHaveAwsAccess(env);
  const answer = await resolveGpusPerNode(c.gpu.instanceTypes, {
    today: today(env),
    noLiveReason: c.sandbox ? "the sandbox" : "no AWS access configured",
    ...(asked
      ? {
          live: async (types) => {
            const { describeGpuCounts } = await import("../aws/ec2.js");
            return describeGpuCounts({ region: c.region, env, sandbox: false }, types);
          },
        }
      : {}),
  });
  if (answer.fallbackReason) io.debug(`GPUs per node from the bundled table: ${answer.fallbackReason}.`);
  for (const notice of answer.notices) io.warn(notice);
  return answer.count === undefined ? undefined : { count: answer.count, source: answer.source };
}

import pLimit from "p-limit";
import { type AwsContext, orAwsError, toAwsError } from "../aws/clients.js";
import { listAccountAliases } from "../aws/iam.js";
import { assertAllowedAccount } from "../aws/identity.js";
import {
  DEFAULT_TEARDOWN,
  deleteRepository,
  deleteResource,
  describeRepository,
  describeRole,
  revokeGroupReferences,
  SkipDeletion,
  type TaggedName,
  type TeardownOptions,
  teardownRole,
} from "../aws/teardown.js";
import { isOurs, ownership } from "../config/ownership.js";
import { AbortError, messageOf, UserError } from "../errors.js";
import type { Io } from "../io/io.js";
import type { Runtime } from "../runtime.js";
import { isOrphan } from "./classify.js";
import { money, runOrphanScan, sortResources } from "./scan.js";
import { type FoundResource, type ProjectIdentity, projectBase } from "./types.js";

export type CleanupTarget =
  | { kind: "orphans"; regions: string[] }
  | { kind: "role"; name: string }
  | { kind: "ecr"; name: string };

export interface CleanupOptions {
  target: CleanupTarget;
  yes: boolean;
  allowProd: boolean;
  confirmAccount?: string;
  /** Tests shorten the waits; the defaults suit AWS. */
  teardown?: Partial<Omit<TeardownOptions, "ownsProfile" | "log">>;
}

export type ItemStatus = "would-delete" | "deleted" | "skipped" | "failed";

export interface CleanupItem {
  type: FoundResource["type"];
  id: string;
  name: string;
  region: string;
  class?: string;
  monthlyCost: number;
  status: ItemStatus;
  reason?: string;
  /** What goes with it (a role's policies and instance profiles, a repository's images). */
  detail?: string[];
}

export interface CleanupResult {
  mode: "dry-run" | "executed" | "nothing";
  account: string;
  target: CleanupTarget["kind"];
  items: CleanupItem[];
  deleted: number;
  skipped: number;
  failed: number;
  /** Estimated monthly cost of what was deleted (or would be, in a dry run). */
  monthlyCost: number;
  /** Ctrl-C stopped it before everything was tried (exit 130); running it again finishes. */
  interrupted?: boolean;
}

/** Above this many items the person confirming types the account id instead of answering yes. */
export const TYPE_ACCOUNT_ABOVE = 10;

export type ConfirmationMode = "nothing" | "dry-run" | "confirm" | "type-account" | "proceed";

/**
 * Pure: how a cleanup of `count` items is confirmed. Without --yes it is a dry run. In a terminal,
 * --yes still asks after listing everything (above 10 items: type the account id). Without a
 * terminal, --yes proceeds for up to 10 items; above that only with --confirm-account ACCOUNT_ID.
 */
export function confirmationMode(input: {
  count: number;
  yes: boolean;
  interactive: boolean;
  account: string;
  confirmAccount?: string | undefined;
}): ConfirmationMode {
  if (input.count === 0) return "nothing";
  if (!input.yes) return "dry-run";
  if (input.confirmAccount !== undefined && input.confirmAccount !== input.account) {
    throw new UserError(
      `--confirm-account ${input.confirmAccount} does not match the account ${input.account}.`,
      {
        code: "cleanup.account-mismatch",
        suggestion: "Check AWS_PROFILE: the credentials point at another account than you meant.",
      },
    );
  }
  if (input.interactive) return input.count > TYPE_ACCOUNT_ABOVE ? "type-account" : "confirm";
  if (input.count > TYPE_ACCOUNT_ABOVE && input.confirmAccount === undefined) {
    throw new UserError(
      `${input.count} resources to delete and no terminal to confirm: above ${TYPE_ACCOUNT_ABOVE}, --yes needs --confirm-account ${input.account}.`,
      {
        code: "cleanup.confirm-account-needed",
        suggestion: `Run the dry run first, then add --confirm-account ${input.account}.`,
      },
    );
  }
  return "proceed";
}

/** Pure: is an alias a production account's? */
export function looksLikeProd(aliases: readonly string[]): string | undefined {
  return aliases.find((a) => a.toLowerCase().includes("prod"));
}

function accountAliases(aws: AwsContext): Promise<string[]> {
  return orAwsError("read the account alias (iam:ListAccountAliases)", listAccountAliases(aws));
}

/**
 * Pure: may `cleanup --role/--ecr` delete this? The one ownership rule (src/config/ownership.ts):
 * only "ours" goes; foreign tags, no tie to the project and unreadable tags each refuse in one line.
 */
export function assertOwned(
  kind: "Role" | "Repository",
  subject: TaggedName,
  type: "iam-role" | "ecr-repository",
  project: ProjectIdentity,
): void {
  const owner = ownership({ type, ...subject }, project);
  const base = projectBase(project);
  if (owner.verdict === "ours") return;
  const message =
    owner.verdict === "foreign"
      ? `${kind} ${subject.name} is not the project's: it is ${owner.why}, not for ${project.name}/${project.environment}.`
      : owner.verdict === "unknown"
        ? `${kind} ${subject.name}: its ${owner.why}, so whether it is ${base}'s is unknown; nothing deleted.`
        : `${kind} ${subject.name} is not the project's: it is neither named ${base}-... nor tagged ManagedBy=triton-ops, Project=${project.name}.`;
  throw new UserError(message, {
    code: owner.verdict === "unknown" ? "cleanup.ownership-unknown" : "cleanup.not-project",
    suggestion:
      owner.verdict === "unknown"
        ? "Grant read access to its tags (iam:ListRoleTags, ecr:ListTagsForResource) and run it again."
        : "cleanup only removes the project's own resources; delete others yourself.",
  });
}

/** Pure: does a role teardown delete this instance profile, or only take the role out of it? */
export function ownsProfile(profile: TaggedName, project: ProjectIdentity): boolean {
  return isOurs(ownership({ type: "iam-instance-profile", ...profile }, project));
}

async function planItems(
  rt: Runtime,
  target: CleanupTarget,
  project: ProjectIdentity,
): Promise<CleanupItem[]> {
  switch (target.kind) {
    case "orphans": {
      const scan = await runOrphanScan(rt, target.regions);
      return scan.resources.filter(isOrphan).map((r) => ({
        type: r.type,
        id: r.id,
        name: r.name,
        region: r.region,
        class: r.class,
        monthlyCost: r.monthlyCost,
        status: "would-delete" as const,
      }));
    }
    case "role": {
      const role = await describeRole(rt.aws, target.name).catch((e) => {
        throw toAwsError(e, `read role ${target.name}`);
      });
      assertOwned("Role", role, "iam-role", project);
      if (!role.exists) return [];
      const detail = [
        ...role.attachedPolicies.map((p) => `detach ${p}`),
        ...role.inlinePolicies.map((p) => `delete inline policy ${p}`),
        ...role.instanceProfiles.map((p) =>
          ownsProfile(p, project)
            ? `delete instance profile ${p.name}`
            : `remove from instance profile ${p.name}`,
        ),
      ];
      return [
        {
          type: "iam-role",
          id: target.name,
          name: target.name,
          region: "global",
          monthlyCost: 0,
          status: "would-delete",
          detail,
        },
      ];
    }
    case "ecr": {
      const repo = await describeRepository(rt.aws, target.name).catch((e) => {
        throw toAwsError(e, `read repository ${target.name}`);
      });
      assertOwned("Repository", repo, "ecr-repository", project);
      if (!repo.exists) return [];
      return [
        {
          type: "ecr-repository",
          id: target.name,
          name: target.name,
          region: rt.config.region,
          monthlyCost: 0,
          status: "would-delete",
          detail: [`delete ${repo.images} image(s)`],
        },
      ];
    }
  }
}

export function formatItems(items: CleanupItem[], io: Io): string {
  const rows = items.map((i) => [
    i.type,
    i.id,
    i.name === i.id ? "" : i.name,
    i.region,
    i.class ?? "",
    money(i.monthlyCost),
    i.status === "failed"
      ? io.style.red(i.status)
      : i.status === "deleted"
        ? io.style.green(i.status)
        : i.status,
    [i.reason, ...(i.detail ?? [])].filter(Boolean).join("; "),
  ]);
  return io.table(
    [
      { header: "TYPE" },
      { header: "ID" },
      { header: "NAME" },
      { header: "REGION" },
      { header: "CLASS" },
      { header: "MONTHLY", align: "right" },
      { header: "STATUS" },
      { header: "DETAIL" },
    ],
    rows,
  );
}

const key = (i: { type: string; id: string; region: string }) => `${i.type}|${i.region}|${i.id}`;

export async function runCleanup(rt: Runtime, options: CleanupOptions): Promise<CleanupResult> {
  const project: ProjectIdentity = { name: rt.config.name, environment: rt.config.environment };
  const identity = await assertAllowedAccount(rt.aws, rt.config.allowedAccountIds);
  const prod = looksLikeProd(await accountAliases(rt.aws));
  if (prod && !options.allowProd) {
    throw new UserError(
      `Account ${identity.account} has the alias "${prod}": refusing to clean up what looks like production.`,
      {
        code: "cleanup.prod-account",
        suggestion: "If this really is the account to clean, add --allow-prod.",
      },
    );
  }
  const planned = await planItems(rt, options.target, project);
  const result = (mode: CleanupResult["mode"], items: CleanupItem[]): CleanupResult => ({
    mode,
    account: identity.account,
    target: options.target.kind,
    items,
    deleted: items.filter((i) => i.status === "deleted").length,
    skipped: items.filter((i) => i.status === "skipped").length,
    failed: items.filter((i) => i.status === "failed").length,
    monthlyCost:
      Math.round(
        items
          .filter((i) => i.status !== "skipped" && i.status !== "failed")
          .reduce((a, i) => a + i.monthlyCost, 0) * 100,
      ) / 100,
  });
  const mode = confirmationMode({
    count: planned.length,
    yes: options.yes,
    interactive: rt.io.interactive,
    account: identity.account,
    confirmAccount: options.confirmAccount,
  });
  if (mode === "nothing") return result("nothing", []);
  if (mode === "dry-run") return result("dry-run", planned);
  if (mode === "confirm" || mode === "type-account") {
    rt.io.info(
      `These ${planned.length} resource(s) in account ${identity.account} will be deleted:\n${formatItems(planned, rt.io)}`,
    );
    if (mode === "confirm") {
      if (
        !(await rt.io.confirm(`Delete these ${planned.length} resource(s) from account ${identity.account}?`))
      ) {
        throw new AbortError("Nothing deleted.");
      }
    } else {
      const typed = await rt.io.input(
        `Type the account id ${identity.account} to delete these ${planned.length} resources:`,
      );
      if (typed.trim() !== identity.account)
        throw new AbortError(`"${typed}" is not ${identity.account}; nothing deleted.`);
    }
  }
  const { items, interrupted } = await execute(rt, options, planned, project);
  return { ...result("executed", items), ...(interrupted ? { interrupted } : {}) };
}

async function execute(
  rt: Runtime,
  options: CleanupOptions,
  planned: CleanupItem[],
  project: ProjectIdentity,
): Promise<{ items: CleanupItem[]; interrupted: boolean }> {
  const io = rt.io;
  const teardown: TeardownOptions = {
    ...DEFAULT_TEARDOWN,
    ...options.teardown,
    ownsProfile: (profile) => ownsProfile(profile, project),
    log: (m) => io.debug(m),
  };
  const target = options.target;
  if (target.kind === "role" || target.kind === "ecr") {
    const item = planned[0] as CleanupItem;
    try {
      if (target.kind === "role")
        await teardownRole(rt.aws, target.name, { ...teardown, log: (m) => io.info(m) });
      else
        io.info(`ecr: deleted ${await deleteRepository(rt.aws, target.name)} image(s) from ${target.name}`);
      io.success(`deleted ${item.type} ${item.id}`);
      return { items: [{ ...item, status: "deleted" }], interrupted: false };
    } catch (error) {
      const reason = messageOf(toAwsError(error, `delete ${item.id}`));
      io.error(`could not delete ${item.type} ${item.id}: ${reason}`);
      return { items: [{ ...item, status: "failed", reason }], interrupted: false };
    }
  }
  // Checked again right before deleting: only what a fresh scan still finds as the project's orphan goes.
  const fresh = await runOrphanScan(rt, target.regions);
  const still = new Map(fresh.resources.filter(isOrphan).map((r) => [key(r), r] as const));
  const out = new Map<string, CleanupItem>();
  const work: FoundResource[] = [];
  for (const item of planned) {
    const current = still.get(key(item));
    if (current) work.push(current);
    else
      out.set(key(item), {
        ...item,
        status: "skipped",
        reason: "gone or no longer an orphan when checked again",
      });
  }
  let interrupted = false;
  // First Ctrl-C: finish what is in flight, start nothing new. The listener then unregisters (after
  // this signal has been handled as taken), so a second Ctrl-C stops the process at once (exit 130).
  const stop = rt.ctx.interrupts.on(() => {
    interrupted = true;
    io.warn("Stopping after the deletions in flight; press Ctrl-C again to stop at once.");
    setImmediate(() => stop());
  });
  teardown.stopped = () => interrupted;
  try {
    const ordered = sortResources(work);
    const limit = pLimit(4);
    for (let i = 0; i < ordered.length; ) {
      const type = ordered[i]?.type;
      const group: FoundResource[] = [];
      while (i < ordered.length && ordered[i]?.type === type) group.push(ordered[i++] as FoundResource);
      if (type === "security-group") {
        for (const region of new Set(group.map((g) => g.region))) {
          await revokeGroupReferences(
            { ...rt.aws, region },
            group.filter((g) => g.region === region).map((g) => g.id),
          ).catch((error) =>
            io.warn(`could not revoke security group cross-references in ${region}: ${messageOf(error)}`),
          );
        }
      }
      await Promise.all(
        group.map((r) =>
          limit(async () => {
            const base = planned.find((p) => key(p) === key(r)) as CleanupItem;
            if (interrupted) {
              out.set(key(r), { ...base, status: "skipped", reason: "interrupted before its turn" });
              return;
            }
            try {
              await deleteResource(rt.aws, r, teardown);
              out.set(key(r), { ...base, status: "deleted" });
              io.success(`deleted ${r.type} ${r.id}${r.name !== r.id ? ` (${r.name})` : ""}`);
            } catch (error) {
              if (error instanceof SkipDeletion) {
                out.set(key(r), { ...base, status: "skipped", reason: error.message });
                io.warn(`skipped ${r.type} ${r.id}: ${error.message}`);
                return;
              }
              const reason = messageOf(toAwsError(error, `delete ${r.type} ${r.id}`));
              out.set(key(r), { ...base, status: "failed", reason });
              io.error(`could not delete ${r.type} ${r.id}: ${reason}`);
            }
          }),
        ),
      );
    }
  } finally {
    stop();
  }
  if (interrupted) {
    io.warn("Interrupted: what was started finished; run the same cleanup again to remove the rest.");
  }
  const items = planned.map(
    (p) => out.get(key(p)) ?? { ...p, status: "skipped" as const, reason: "not reached" },
  );
  return { items, interrupted };
}

export function formatCleanup(result: CleanupResult, io: Io): string {
  if (result.mode === "nothing") {
    return io.style.green(`Nothing to clean up in account ${result.account}.`);
  }
  const table = formatItems(result.items, io);
  if (result.mode === "dry-run") {
    return `${table}\n\nDry run: ${result.items.length} resource(s) in account ${result.account} would be deleted (about ${money(result.monthlyCost)}/month, estimate). Add --yes to delete them.`;
  }
  const parts = [`${result.deleted} deleted`, `${result.skipped} skipped`, `${result.failed} failed`];
  return `${table}\n\nCleanup of account ${result.account}: ${parts.join(", ")}.${result.failed > 0 ? " Run it again to retry the failures." : ""}`;
}

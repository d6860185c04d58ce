/**
 * Pure reading of an IAM role's trust policy against what GitHub Actions presents: does a run from
 * this repository (and branch, environment or pull request) get to assume the role, and if not, why.
 */

export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_AUDIENCE = "sts.amazonaws.com";
const SUB_KEY = `${GITHUB_OIDC_HOST}:sub`;
const AUD_KEY = `${GITHUB_OIDC_HOST}:aud`;

export interface TrustTarget {
  /** OWNER/NAME */
  repo: string;
  /** Branch a push runs on (default main); ignored when environment or a pull_request event is given. */
  branch?: string;
  /** A job with `environment:` presents the environment subject instead of the branch. */
  environment?: string;
  /** `pull_request` runs present `repo:OWNER/NAME:pull_request`. */
  event?: string;
  /** The OIDC provider the role must federate with, when known. */
  providerArn?: string;
  /**
   * `OWNER-OWNERID/NAME-REPOID`, when the ids are known: the immutable form of `repo`, which repositories
   * created or renamed on github.com since 2026-06-18 send in `sub` instead of `OWNER/NAME`.
   */
  immutableRepo?: string;
}

export type TrustProblemCode =
  | "policy-unreadable"
  | "no-web-identity-statement"
  | "wrong-provider"
  | "missing-audience"
  | "no-subject-condition"
  | "wildcard-subject"
  | "wrong-repo"
  | "wrong-branch"
  | "wrong-environment"
  | "pull-request-not-trusted"
  | "wrong-subject"
  | "immutable-subject-not-trusted";

export interface TrustProblem {
  code: TrustProblemCode;
  message: string;
}

export interface TrustMatch {
  ok: boolean;
  /** The `sub` claim the run presents. */
  expectedSubject: string;
  /** `sub` values (or patterns) the policy trusts, across its web-identity statements. */
  trustedSubjects: string[];
  problems: TrustProblem[];
  /** The immutable-form subject of the same run, when the ids are known. */
  immutableSubject?: string;
  /** Not stopping the run today, but worth a line: the immutable form cannot be checked without ids. */
  warnings: string[];
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Principal?: string | { Federated?: string | string[] };
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The `sub` claim GitHub puts in the token of such a run, in the name form or the immutable form. */
export function githubSubject(target: TrustTarget, form: "name" | "immutable" = "name"): string {
  const repo = form === "immutable" && target.immutableRepo ? target.immutableRepo : target.repo;
  if (target.event === "pull_request") return `repo:${repo}:pull_request`;
  if (target.environment) return `repo:${repo}:environment:${target.environment}`;
  return `repo:${repo}:ref:refs/heads/${target.branch ?? "main"}`;
}

/** IAM returns the document URL-encoded; Terraform state and tests hand it over as JSON or an object. */
export function parsePolicyDocument(document: unknown): { Statement: Statement[] } | undefined {
  let doc = document;
  if (typeof doc === "string") {
    let text = doc.trim();
    if (!text.startsWith("{")) {
      try {
        text = decodeURIComponent(text);
      } catch {
        return undefined;
      }
    }
    try {
      doc = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  if (!doc || typeof doc !== "object") return undefined;
  const raw = (doc as { Statement?: unknown }).Statement;
  if (raw === undefined) return undefined;
  const statements = (Array.isArray(raw) ? raw : [raw]).filter(
    (s): s is Statement => Boolean(s) && typeof s === "object",
  );
  return { Statement: statements };
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Condition values for a key under the given operators (case-insensitive keys, as IAM treats them). */
function conditionValues(statement: Statement, operators: string[], key: string): string[] {
  const out: string[] = [];
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    const bare = operator.replace(/^(ForAnyValue|ForAllValues):/, "").replace(/IfExists$/, "");
    if (!operators.includes(bare)) continue;
    for (const [k, v] of Object.entries(block))
      if (k.toLowerCase() === key.toLowerCase()) out.push(...list(v));
  }
  return out;
}

/** IAM StringLike: `*` any run of characters, `?` exactly one. */
function globMatches(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(value);
}

function isWebIdentityStatement(s: Statement): boolean {
  if ((s.Effect ?? "Allow") !== "Allow") return false;
  return list(s.Action).some((a) => a === "sts:AssumeRoleWithWebIdentity" || a === "sts:*" || a === "*");
}

function federatedOf(s: Statement): string[] {
  if (!s.Principal || typeof s.Principal === "string") return [];
  return list(s.Principal.Federated);
}

/** What a wildcard subject pattern lets in, in words, or undefined when it is narrow enough. */
function wildcardReach(pattern: string, target: TrustTarget): string | undefined {
  if (!/[*?]/.test(pattern)) return undefined;
  const repoPart = pattern.startsWith("repo:") ? (pattern.slice(5).split(":")[0] ?? "") : pattern;
  if (/[*?]/.test(repoPart)) {
    return `${pattern} lets workflows of other repositories assume the role`;
  }
  if (repoPart === target.repo) {
    return `${pattern} lets any branch, tag, pull request or environment of ${target.repo} assume the role`;
  }
  return `${pattern} is a wildcard`;
}

function subjectRepo(subject: string): string | undefined {
  return /^repo:([^:]+):/.exec(subject)?.[1];
}

/** Does one of the statements, on its own, let this exact subject in (provider and audience aside)? */
function admitsSubject(statements: Statement[], subject: string): boolean {
  return statements.some(
    (s) =>
      conditionValues(s, ["StringEquals"], SUB_KEY).includes(subject) ||
      conditionValues(s, ["StringLike"], SUB_KEY).some((p) => globMatches(p, subject)),
  );
}

/** Explains why an exact trusted subject does not fit the run, in the most specific words available. */
function explainMismatch(trusted: string[], target: TrustTarget, expected: string): TrustProblem {
  const sameRepo = trusted.filter((t) => {
    const repo = subjectRepo(t);
    return repo === target.repo || (target.immutableRepo !== undefined && repo === target.immutableRepo);
  });
  if (sameRepo.length === 0) {
    const repos = [...new Set(trusted.map((t) => subjectRepo(t) ?? t))];
    return {
      code: "wrong-repo",
      message: `The role trusts only ${repos.join(", ") || "other subjects"}, not ${target.repo}: runs of ${target.repo} cannot assume it.`,
    };
  }
  if (target.event === "pull_request") {
    return {
      code: "pull-request-not-trusted",
      message: `Pull request runs present ${expected}; the role trusts only ${sameRepo.join(", ")}, so a pull_request workflow cannot assume it (by design for a deploy role).`,
    };
  }
  if (target.environment) {
    return {
      code: "wrong-environment",
      message: `A job with environment ${target.environment} presents ${expected}; the role trusts ${sameRepo.join(", ")}.`,
    };
  }
  const branches = sameRepo
    .map((t) => /:ref:refs\/heads\/(.+)$/.exec(t)?.[1])
    .filter((b): b is string => b !== undefined);
  if (branches.length > 0) {
    return {
      code: "wrong-branch",
      message: `The role trusts pushes to ${branches.join(", ")} of ${target.repo}, not ${target.branch ?? "main"}.`,
    };
  }
  return {
    code: "wrong-subject",
    message: `The run presents ${expected}; the role trusts ${sameRepo.join(", ")} (a job environment or event changes the subject).`,
  };
}

/**
 * Does the trust policy let a GitHub Actions run for `target` assume the role? Every problem that
 * stops it, or that makes the trust broader than the target (wildcards, no subject condition), is
 * listed with one sentence each.
 */
export function matchTrust(policyDocument: unknown, target: TrustTarget): TrustMatch {
  const expectedSubject = githubSubject(target);
  const doc = parsePolicyDocument(policyDocument);
  if (!doc) {
    return {
      ok: false,
      expectedSubject,
      trustedSubjects: [],
      warnings: [],
      problems: [
        { code: "policy-unreadable", message: "The trust policy is not a readable IAM policy document." },
      ],
    };
  }
  const statements = doc.Statement.filter(isWebIdentityStatement);
  if (statements.length === 0) {
    return {
      ok: false,
      expectedSubject,
      trustedSubjects: [],
      warnings: [],
      problems: [
        {
          code: "no-web-identity-statement",
          message:
            "No statement allows sts:AssumeRoleWithWebIdentity: GitHub's OIDC token cannot be used with this role.",
        },
      ],
    };
  }

  // Each statement is judged on its own; the run gets in when one statement lets it in.
  const verdicts = statements.map((s) => {
    const problems: TrustProblem[] = [];
    const federated = federatedOf(s);
    const githubProviders = federated.filter((f) => f.endsWith(`:oidc-provider/${GITHUB_OIDC_HOST}`));
    if (githubProviders.length === 0) {
      problems.push({
        code: "wrong-provider",
        message: `The role federates with ${federated.join(", ") || "no OIDC provider"}, not GitHub's (${GITHUB_OIDC_HOST}).`,
      });
    } else if (target.providerArn && !githubProviders.includes(target.providerArn)) {
      problems.push({
        code: "wrong-provider",
        message: `The role federates with ${githubProviders.join(", ")}, not the project's provider ${target.providerArn}.`,
      });
    }
    const audiences = conditionValues(s, ["StringEquals", "StringLike"], AUD_KEY);
    if (!audiences.includes(GITHUB_AUDIENCE)) {
      problems.push({
        code: "missing-audience",
        message: `The trust does not require aud ${GITHUB_AUDIENCE} (found ${audiences.join(", ") || "no aud condition"}); aws-actions/configure-aws-credentials asks for exactly that audience.`,
      });
    }
    const exact = conditionValues(s, ["StringEquals"], SUB_KEY);
    const patterns = conditionValues(s, ["StringLike"], SUB_KEY);
    const trusted = [...exact, ...patterns];
    if (trusted.length === 0) {
      problems.push({
        code: "no-subject-condition",
        message: "The trust has no sub condition: every repository on GitHub could assume this role.",
      });
    } else {
      // Under StringEquals a `*` is a literal character, so only StringLike patterns can widen the trust.
      const wildcards = patterns
        .map((p) => wildcardReach(p, target))
        .filter((w): w is string => w !== undefined);
      for (const reach of wildcards) problems.push({ code: "wildcard-subject", message: reach });
      const admitted =
        exact.includes(expectedSubject) || patterns.some((p) => globMatches(p, expectedSubject));
      if (!admitted) problems.push(explainMismatch(trusted, target, expectedSubject));
    }
    return { problems, trusted };
  });

  const trustedSubjects = [...new Set(verdicts.flatMap((v) => v.trusted))];
  const passing = verdicts.find((v) => v.problems.length === 0);
  // GitHub sends one form or the other, and which one is the repository's history (created or renamed
  // since 2026-06-18: immutable), not something the run can choose: the trust must accept both.
  const immutable = immutableVerdict(statements, target, expectedSubject, passing !== undefined);
  if (passing && immutable.problems.length === 0) {
    return { ok: true, expectedSubject, trustedSubjects, problems: [], ...immutable.extra };
  }
  const problems = passing
    ? immutable.problems
    : [...verdicts.flatMap((v) => v.problems), ...immutable.problems];
  const unique = problems.filter(
    (p, i) => problems.findIndex((q) => q.code === p.code && q.message === p.message) === i,
  );
  return { ok: false, expectedSubject, trustedSubjects, problems: unique, ...immutable.extra };
}

function immutableVerdict(
  statements: Statement[],
  target: TrustTarget,
  nameSubject: string,
  nameAdmitted: boolean,
): { problems: TrustProblem[]; extra: { immutableSubject?: string; warnings: string[] } } {
  if (!target.immutableRepo) {
    return {
      problems: [],
      extra: {
        warnings: [
          `Only the name form ${nameSubject} was checked: repositories created or renamed on github.com since 2026-06-18 send repo:OWNER-OWNERID/NAME-REPOID:... instead; set github.repositoryId and github.ownerId (or pass --repo-id/--owner-id) to check that form too.`,
        ],
      },
    };
  }
  const immutableSubject = githubSubject(target, "immutable");
  if (admitsSubject(statements, immutableSubject))
    return { problems: [], extra: { immutableSubject, warnings: [] } };
  return {
    problems: nameAdmitted
      ? [
          {
            code: "immutable-subject-not-trusted",
            message: `The role trusts the name form ${nameSubject} but not the immutable form ${immutableSubject}, which ${target.repo} sends if it was created or renamed since 2026-06-18: such runs get "Not authorized to perform sts:AssumeRoleWithWebIdentity".`,
          },
        ]
      : [],
    extra: { immutableSubject, warnings: [] },
  };
}

import { UserError } from "../errors.js";

/**
 * GitHub's REST API, for the one fact `ci init` needs from it: the numeric ids of a repository and its
 * owner (GET /repos/{owner}/{repo}), which make the immutable OIDC subject. GITHUB_API_URL is GitHub's
 * own variable for the API's base (GitHub Enterprise Server, or a stand-in in tests).
 */
export interface GithubIds {
  repositoryId: string;
  ownerId: string;
}

export async function fetchGithubIds(repo: string, env: NodeJS.ProcessEnv): Promise<GithubIds> {
  const base = (env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/$/, "");
  let response: Response;
  try {
    response = await fetch(`${base}/repos/${repo}`, {
      headers: {
        accept: "application/vnd.github+json",
        authorization: `Bearer ${env.GITHUB_TOKEN ?? ""}`,
        "x-github-api-version": "2022-11-28",
      },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new UserError(`GitHub's API at ${base} did not answer (${(error as Error).message}).`, {
      code: "ci.github-api",
      suggestion:
        "Pass --repo-id and --owner-id instead (Settings of the repository, or `gh api repos/OWNER/NAME`).",
    });
  }
  if (!response.ok) {
    throw new UserError(`GitHub's API answered ${response.status} for ${repo}.`, {
      code: "ci.github-api",
      suggestion:
        response.status === 401 || response.status === 404
          ? "Check GITHUB_TOKEN can read the repository, or pass --repo-id and --owner-id."
          : "Pass --repo-id and --owner-id instead.",
    });
  }
  const body = (await response.json()) as { id?: unknown; owner?: { id?: unknown } };
  if (typeof body.id !== "number" || typeof body.owner?.id !== "number") {
    throw new UserError(`GitHub's API answered for ${repo} without the repository's and owner's ids.`, {
      code: "ci.github-api",
      suggestion: "Pass --repo-id and --owner-id instead.",
    });
  }
  return { repositoryId: String(body.id), ownerId: String(body.owner.id) };
}

import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { fetchGithubIds } from "./github.js";

/**
 * A loopback stand-in for GitHub's REST API "Get a repository" (GET /repos/{owner}/{repo}, docs.github.com
 * rest/repos/repos#get-a-repository): 200 with `id` and `owner.id` for the one repository it knows, 404
 * otherwise, 401 without a bearer token, as GitHub answers a private repository.
 */
describe("fetchGithubIds", () => {
  let base: string;
  let seen: IncomingHttpHeaders | undefined;
  const server = createServer((req, res) => {
    seen = req.headers;
    if (req.headers.authorization !== "Bearer t0ken") return void res.writeHead(401).end("{}");
    if (req.url !== "/repos/acme/models") return void res.writeHead(404).end('{"message":"Not Found"}');
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id: 22, full_name: "acme/models", owner: { login: "acme", id: 11 } }));
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
  });

  it("reads the repository's and owner's ids with the token", async () => {
    const ids = await fetchGithubIds("acme/models", { GITHUB_API_URL: base, GITHUB_TOKEN: "t0ken" });
    expect(ids).toEqual({ repositoryId: "22", ownerId: "11" });
    expect(seen?.["x-github-api-version"]).toBe("2022-11-28");
  });

  it("says what to do when GitHub refuses or does not know the repository", async () => {
    for (const [repo, token, status] of [
      ["acme/other", "t0ken", 404],
      ["acme/models", "wrong", 401],
    ] as const) {
      const error = await fetchGithubIds(repo, { GITHUB_API_URL: base, GITHUB_TOKEN: token }).catch((e) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toBe(`GitHub's API answered ${status} for ${repo}.`);
      expect((error as UserError).suggestion).toContain("--repo-id and --owner-id");
    }
  });
});

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectBase, resourceNames } from "../../src/config/naming.js";

const moduleDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../terraform/modules/naming",
);

/** Inputs at the edges of the module's validation: shortest, longest, digits, hyphens, no account id. */
const INPUTS = {
  plain: { name: "acme", environment: "dev", accountId: "123456789012" },
  shortest: { name: "ab", environment: "p", accountId: "" },
  longest: { name: "a1234567890123456789", environment: "staging123", accountId: "000000000001" },
  hyphens: { name: "my-team-x", environment: "prod", accountId: "999999999999" },
};

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe("src/config/naming.ts mirrors terraform/modules/naming", () => {
  let work: string;
  let outputs: Record<string, { base: string; names: Record<string, string> }>;

  beforeAll(async () => {
    // The module uses no provider: a root that calls it once per input applies offline with local state.
    work = await mkdtemp(path.join(os.tmpdir(), "naming-mirror-"));
    const modules = Object.entries(INPUTS)
      .map(
        ([key, v]) => `module "${key}" {
  source      = "${moduleDir}"
  name_prefix = "${v.name}"
  environment = "${v.environment}"
  account_id  = "${v.accountId}"
}`,
      )
      .join("\n");
    const out = `output "all" {\n  value = {\n${Object.keys(INPUTS)
      .map((k) => `    ${k} = { base = module.${k}.base, names = module.${k}.names }`)
      .join("\n")}\n  }\n}\n`;
    await writeFile(path.join(work, "main.tf"), `${modules}\n${out}`);
    const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
    await execa("terraform", ["init", "-input=false", "-no-color"], { cwd: work, env });
    await execa("terraform", ["apply", "-auto-approve", "-input=false", "-no-color"], { cwd: work, env });
    const { stdout } = await execa("terraform", ["output", "-json", "all"], { cwd: work, env });
    outputs = JSON.parse(stdout);
  }, 120_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  for (const [key, input] of Object.entries(INPUTS)) {
    it(`gives the module's names for ${input.name}/${input.environment}`, () => {
      const tf = outputs[key];
      expect(tf).toBeDefined();
      expect(projectBase(input)).toBe(tf?.base);
      const fromModule = Object.fromEntries(Object.entries(tf?.names ?? {}).map(([k, v]) => [camel(k), v]));
      // Every key both ways: a name added on one side only fails here.
      expect(resourceNames(input, input.accountId)).toEqual(fromModule);
    });
  }
});

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const surfaceSources = path.join(root, "src", "aws", "sdk-surface");
const built = path.join(root, "bundle", "aws-sdk");
const requireHere = createRequire(import.meta.url);

/** A surface file's package and the names it lists. */
function listed(file: string): { client: string; names: string[] } {
  const text = readFileSync(path.join(surfaceSources, file), "utf8");
  const match = text.match(/export \{([^}]*)\} from "(@aws-sdk\/client-[a-z0-9-]+)";/);
  if (!match?.[1] || !match[2])
    throw new Error(`${file}: not one export list from an @aws-sdk/client-* package`);
  return {
    client: match[2],
    names: match[1]
      .split(",")
      .map((n) => n.trim())
      .filter(Boolean)
      .sort(),
  };
}

/**
 * A schema as text, every thunk called: the SDK's shapes are nested arrays whose members point at other
 * shapes through `() => Shape$`. A shape met again is written as its first position, so recursive shapes
 * end and two trees compare equal only when they share in the same places.
 */
function canonical(value: unknown, seen = new Map<object, number>()): string {
  if (typeof value === "function") {
    // A class (an error's constructor) by its name; a thunk by what it returns.
    if (/^class\b/.test(Function.prototype.toString.call(value))) return `class ${value.name}`;
    return canonical((value as () => unknown)(), seen);
  }
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "undefined";
  const first = seen.get(value);
  if (first !== undefined) return `#${first}`;
  seen.set(value, seen.size);
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, seen)).join(",")}]`;
  if (value instanceof Map)
    return `Map{${[...value.entries()].map(([k, v]) => `${canonical(k, seen)}:${canonical(v, seen)}`).join(",")}}`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${k}:${canonical((value as Record<string, unknown>)[k], seen)}`)
    .join(",")}}`;
}

/**
 * scripts/bundle.mjs builds each client's surface (src/aws/sdk-surface/) into bundle/aws-sdk/, the
 * unused operations shaken out after it rewrote the schema files' computed keys. Each built file is held
 * here against the whole client package it came from: the same names, and for every listed operation the
 * same schema, every shape it reaches resolved, and the same modeled errors registered.
 */
describe("the AWS SDK surface bundles", () => {
  const files = readdirSync(surfaceSources).filter((f) => f.endsWith(".ts"));

  it("exist for every surface, so the CLI never falls back to the whole packages", () => {
    expect(files.length).toBeGreaterThan(10);
    for (const file of files)
      expect(existsSync(path.join(built, file.replace(/\.ts$/, ".cjs"))), file).toBe(true);
  });

  it("are each loaded by src/aws/sdk.ts under their own package's name", () => {
    const loader = readFileSync(path.join(root, "src", "aws", "sdk.ts"), "utf8");
    const calls = [
      ...loader.matchAll(
        /loadClient<typeof import\("\.\/sdk-surface\/([a-z0-9-]+)\.js"\)>\(\s*"([a-z0-9-]+)",\s*"([^"]+)",?\s*\)/g,
      ),
    ].map(([, typed, surface, pkg]) => ({ typed, surface, pkg }));
    expect(calls.map((c) => `${c.surface}.ts`).sort()).toEqual([...files].sort());
    for (const call of calls) {
      expect(call.typed, call.surface).toBe(call.surface);
      expect(call.pkg, call.surface).toBe(listed(`${call.surface}.ts`).client);
    }
  });

  for (const file of files) {
    it(`${file}: matches its whole package`, () => {
      const { client, names } = listed(file);
      const bundle = requireHere(path.join(built, file.replace(/\.ts$/, ".cjs"))) as Record<string, unknown>;
      const whole = requireHere(client) as Record<string, unknown>;
      expect(Object.keys(bundle).sort()).toEqual(names);

      for (const name of names) {
        const ours = bundle[name];
        const theirs = whole[name];
        expect(typeof ours, name).toBe("function");
        if (name.endsWith("Command")) {
          const Ours = ours as new (input: object) => { schema: unknown };
          const Theirs = theirs as new (input: object) => { schema: unknown };
          expect(canonical(new Ours({}).schema), name).toBe(canonical(new Theirs({}).schema));
        } else if (name.endsWith("Client")) {
          type Client = { config: { protocolSettings?: { errorTypeRegistries?: unknown } }; destroy(): void };
          const a = new (ours as new (c: object) => Client)({ region: "us-east-1" });
          const b = new (theirs as new (c: object) => Client)({ region: "us-east-1" });
          const registries = (c: Client) => c.config.protocolSettings?.errorTypeRegistries;
          expect(canonical(registries(a)), `${name} errors`).toBe(canonical(registries(b)));
          a.destroy();
          b.destroy();
        }
      }
    });
  }

  it("finds the packages it leaves outside from the client package's own directory", () => {
    const text = readFileSync(path.join(built, "ec2.cjs"), "utf8");
    expect(text).toContain('createRequire(require.resolve("@aws-sdk/client-ec2"))');
    expect(text).not.toMatch(/\brequire\("@smithy\//);
    expect(text.length).toBeLessThan(
      readFileSync(requireHere.resolve("@aws-sdk/client-ec2"), "utf8").length / 5,
    );
  });
});

// Benchmarks run under plain Node 20, which cannot load TypeScript: the test helpers they share with
// the tests (the Kubernetes stand-in, object builders) are transpiled once into node_modules/.cache,
// where their own imports (yaml) still resolve.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Imports test/support/NAME.ts (and the support files it imports) as JavaScript. */
export async function importTestSupport(name, dependencies = []) {
  const ts = (await import("typescript")).default;
  const out = path.join(root, "node_modules", ".cache", "triton-ops-bench");
  await mkdir(out, { recursive: true });
  for (const file of [name, ...dependencies]) {
    const source = await readFile(path.join(root, "test", "support", `${file}.ts`), "utf8");
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    await writeFile(path.join(out, `${file}.js`), outputText);
  }
  return import(pathToFileURL(path.join(out, `${name}.js`)).href);
}

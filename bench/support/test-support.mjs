// Benchmarks run under plain Node 20, which cannot load TypeScript: the test helpers they share with
// the tests (the Kubernetes and Triton stand-ins, object builders, fixtures) are transpiled once into
// node_modules/.cache, laid out as under test/, where their own imports of packages (yaml, the AWS SDK)
// still resolve; an import of the product's source (../../src/X.js) loads the build's dist/X.js instead.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = path.join(root, "node_modules", ".cache", "triton-ops-bench");

/** Transpiles test/FILE.ts for each file (paths relative to test/, without .ts) and imports the first. */
export async function importTestFiles(files) {
  const ts = (await import("typescript")).default;
  for (const file of files) {
    const source = path.join(root, "test", `${file}.ts`);
    const { outputText } = ts.transpileModule(await readFile(source, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const js = outputText.replace(/from "(\.\.?\/[^"]+)"/g, (whole, spec) => {
      const target = path.relative(path.join(root, "src"), path.resolve(path.dirname(source), spec));
      return target.startsWith("..")
        ? whole
        : `from "${pathToFileURL(path.join(root, "dist", target)).href}"`;
    });
    const dest = path.join(out, "test", `${file}.js`);
    await mkdir(path.dirname(dest), { recursive: true });
    await writeFile(dest, js);
  }
  return import(pathToFileURL(path.join(out, "test", `${files[0]}.js`)).href);
}

/** Imports test/support/NAME.ts (and the support files it imports) as JavaScript. */
export function importTestSupport(name, dependencies = []) {
  return importTestFiles([name, ...dependencies].map((file) => `support/${file}`));
}

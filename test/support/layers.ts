import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

/**
 * The house layering, top to bottom; a module may import its own layer or any layer below it, never one
 * above. Each entry is a directory (ending in "/") or a file under src/. A module that matches no entry
 * is itself a finding: a new top-level module must be given a layer on purpose.
 */
export const LAYERS: ReadonlyArray<{ layer: string; modules: readonly string[] }> = [
  { layer: "cli", modules: ["cli.ts"] },
  { layer: "commands", modules: ["commands/"] },
  {
    layer: "use cases",
    // targets.ts resolves what verify and doctor look at (project or current context) from terraform and k8s.
    modules: [
      "engine/",
      "verify/",
      "doctor/",
      "orphans/",
      "ci/",
      "init/",
      "models/",
      "upgrade/",
      "versions/",
      "loadtest/",
      "targets.ts",
    ],
  },
  { layer: "terraform, k8s", modules: ["terraform/", "k8s/", "docker/"] },
  // The per-command context (config applied to flags, the AWS target, the sandbox started) that
  // terraform/, k8s/ and the use cases are handed.
  { layer: "runtime", modules: ["runtime.ts"] },
  // sandbox/ runs the local AWS emulator: it stands beside the AWS boundary, not above it.
  { layer: "aws", modules: ["aws/", "sandbox/"] },
  {
    layer: "config, io, errors",
    modules: [
      "config/",
      "io/",
      "errors.ts",
      "context.ts",
      "stages.ts",
      "fs-util.ts",
      "paths.ts",
      "signals.ts",
      "version.ts",
      "net/",
      // The price model: pure prices and arithmetic every layer above may price with.
      "cost/",
      "node-support.ts",
    ],
  },
];

/** The only directory whose modules may import `@aws-sdk/*`. */
export const AWS_BOUNDARY = "aws/";

export interface SourceFile {
  /** Path under src/, with forward slashes, e.g. "engine/up.ts". */
  path: string;
  text: string;
}

export interface Violation {
  file: string;
  /** The imported module (under src/) or package. */
  imports: string;
  rule: "upward-import" | "aws-sdk-outside-boundary" | "no-layer";
  message: string;
}

/** Layer index of a module under src/: 0 is the top (cli). */
export function layerOf(modulePath: string): number | undefined {
  let best: { index: number; length: number } | undefined;
  LAYERS.forEach((entry, index) => {
    for (const m of entry.modules) {
      const hit = m.endsWith("/") ? modulePath.startsWith(m) : modulePath === m;
      if (hit && (!best || m.length > best.length)) best = { index, length: m.length };
    }
  });
  return best?.index;
}

/**
 * Every module specifier a file names: static and type-only imports, re-exports, `import()`,
 * `require()`, and any string literal naming an @aws-sdk package (a `createRequire` call, say).
 */
export function specifiersOf(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  const names = info.importedFiles.map((f) => f.fileName);
  for (const m of text.matchAll(/["'`](@aws-sdk\/[^"'`]+)["'`]/g)) if (m[1]) names.push(m[1]);
  return [...new Set(names)];
}

/** Pure: the layering and the AWS boundary checked over a set of source files. */
export function checkLayers(files: readonly SourceFile[]): Violation[] {
  const out: Violation[] = [];
  for (const file of files) {
    const own = layerOf(file.path);
    if (own === undefined) {
      out.push({
        file: file.path,
        imports: "",
        rule: "no-layer",
        message: `${file.path} belongs to no layer: add it to LAYERS in test/support/layers.ts`,
      });
      continue;
    }
    for (const spec of specifiersOf(file.text)) {
      if (spec.startsWith("@aws-sdk/")) {
        if (!file.path.startsWith(AWS_BOUNDARY)) {
          out.push({
            file: file.path,
            imports: spec,
            rule: "aws-sdk-outside-boundary",
            message: `${file.path} imports ${spec}: only src/${AWS_BOUNDARY} may use the AWS SDK`,
          });
        }
        continue;
      }
      if (!spec.startsWith(".")) continue;
      const target = path.posix
        .normalize(path.posix.join(path.posix.dirname(file.path), spec))
        .replace(/\.js$/, ".ts");
      const theirs = layerOf(target);
      if (theirs !== undefined && theirs < own) {
        out.push({
          file: file.path,
          imports: target,
          rule: "upward-import",
          message: `${file.path} (${LAYERS[own]?.layer}) imports ${target} (${LAYERS[theirs]?.layer}), a layer above it`,
        });
      }
    }
  }
  return out;
}

/** The product's modules: every .ts under src/ except tests (which may seed the emulator with the SDK). */
export function productSources(srcDir: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
        out.push({
          path: path.relative(srcDir, full).split(path.sep).join("/"),
          text: readFileSync(full, "utf8"),
        });
      }
    }
  };
  walk(srcDir);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

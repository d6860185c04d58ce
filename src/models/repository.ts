import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../errors.js";

/** One model directory as Triton sees it, read from disk once; the lint rules never touch the disk. */
export interface ModelDirectory {
  /** The directory's name: what Triton calls the model. */
  name: string;
  /** Absolute path of the model directory. */
  path: string;
  /** config.pbtxt's text, or undefined when the directory has none. */
  configText: string | undefined;
  /** Names directly inside the model directory (files and directories). */
  entries: string[];
  /** Numeric version directories, ascending, with the names inside each. */
  versions: Array<{ version: number; entries: string[] }>;
}

export interface RepositorySnapshot {
  root: string;
  models: ModelDirectory[];
}

/**
 * Triton's repository layout (docs/user_guide/model_repository.md): `<repo>/<model>/config.pbtxt` and
 * `<repo>/<model>/<version>/<file>`, where versions are directories named by a number that does not start
 * with 0 (others are ignored by Triton).
 */
export const VERSION_DIR = /^[1-9][0-9]*$/;

/** Reads a model repository; refuses (exit 2) a directory that is missing or holds no model. */
export async function readRepository(dir: string): Promise<RepositorySnapshot> {
  const root = path.resolve(dir);
  let names: string[];
  try {
    const info = await stat(root);
    if (!info.isDirectory()) throw new Error("not a directory");
    names = await readdir(root);
  } catch {
    throw new UserError(`${dir} is not a directory.`, {
      code: "models.not-a-repository",
      suggestion: "Give the model repository's directory: the one holding <model>/config.pbtxt.",
    });
  }
  const models: ModelDirectory[] = [];
  await Promise.all(
    names.sort().map(async (name) => {
      if (name.startsWith(".")) return;
      const modelPath = path.join(root, name);
      const entries = await readdir(modelPath).catch(() => undefined);
      if (!entries) return;
      const versionNames = entries.filter((e) => VERSION_DIR.test(e));
      const versions = (
        await Promise.all(
          versionNames.map(async (v) => {
            const inside = await readdir(path.join(modelPath, v)).catch(() => undefined);
            return inside === undefined ? undefined : { version: Number(v), entries: inside.sort() };
          }),
        )
      ).filter((v): v is { version: number; entries: string[] } => v !== undefined);
      const configText = entries.includes("config.pbtxt")
        ? await readFile(path.join(modelPath, "config.pbtxt"), "utf8")
        : undefined;
      if (configText === undefined && versions.length === 0) return;
      models.push({
        name,
        path: modelPath,
        configText,
        entries: entries.sort(),
        versions: versions.sort((a, b) => a.version - b.version),
      });
    }),
  );
  if (models.length === 0) {
    throw new UserError(
      `${dir} is not a Triton model repository: no directory in it holds a config.pbtxt or a version.`,
      {
        code: "models.not-a-repository",
        suggestion:
          "A repository holds one directory per model: <model>/config.pbtxt and <model>/1/<model file>.",
      },
    );
  }
  models.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { root, models };
}

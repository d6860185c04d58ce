import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

/** Every file under a directory (provider binaries in .terraform and files over 20 MiB left out), for scans. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.name === ".terraform") continue;
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if ((await stat(full)).size < 20 * 2 ** 20) out.push(full);
  }
  return out;
}

/** Every path under a directory with each file's content: equal snapshots mean nothing changed. */
export async function snapshotTree(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of (await readdir(dir, { recursive: true })).sort()) {
    const full = path.join(dir, entry);
    const info = await stat(full);
    parts.push(`${entry}:${info.isFile() ? await readFile(full, "utf8") : "dir"}`);
  }
  return parts.join("\n");
}

import { chmod, mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Writes a file atomically (temp file + rename) so a crash never leaves half a state or config file.
 * `secret` files (state, tokens, credentials, kubeconfigs) are created 0600.
 */
export async function writeFileAtomic(
  file: string,
  content: string | Uint8Array,
  options: { secret?: boolean } = {},
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const mode = options.secret ? 0o600 : 0o644;
  await writeFile(temp, content, { mode });
  await chmod(temp, mode);
  await rename(temp, file);
}

export function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}

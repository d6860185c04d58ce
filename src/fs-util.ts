import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

export interface AtomicWriteOptions {
  /** State, tokens, credentials, kubeconfigs and caches: the file is created 0600. */
  secret?: boolean;
  /** The mode of the directories made on the way (default: the umask's). */
  dirMode?: number;
}

/** The file written aside, in the same directory so that the rename stays on one file system. */
const asideOf = (file: string) => `${file}.${process.pid}.${Date.now()}.tmp`;
const modeOf = (options: AtomicWriteOptions) => (options.secret ? 0o600 : 0o644);

/**
 * Writes a file atomically (temp file + rename): a crash never leaves half a state or config file, and a
 * reader at the same time sees the old file or the new one. A write that fails takes its temp file away.
 */
export async function writeFileAtomic(
  file: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: options.dirMode });
  const temp = asideOf(file);
  const mode = modeOf(options);
  try {
    await writeFile(temp, content, { mode });
    await chmod(temp, mode);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** writeFileAtomic for the few callers that cannot wait, such as the SDK loader inside require(). */
export function writeFileAtomicSync(
  file: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: options.dirMode });
  const temp = asideOf(file);
  const mode = modeOf(options);
  try {
    writeFileSync(temp, content, { mode });
    chmodSync(temp, mode);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export function isErrno(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}

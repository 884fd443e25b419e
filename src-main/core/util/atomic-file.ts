/**
 * Replacing a file so that a crash leaves either the old or the new content, never a mix:
 * write a temporary sibling, fsync it, rename it over the target, fsync the folder.
 *
 * The temporary name never begins with ".": in a Maildir++ root every such name is a folder,
 * and a program listing the root mid-write (or after a crash) must not see one more.
 */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface AtomicWriteOptions {
  /** File mode for a new file, e.g. 0o600 for secrets. */
  readonly mode?: number;
}

/** `data` may come in pieces (written in turn as they come: a large file is never one string). */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | AsyncIterable<string>,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const temp = join(dirname(path), `${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', options.mode ?? 0o644);
  try {
    if (typeof data === 'string' || data instanceof Uint8Array) await handle.writeFile(data);
    else for await (const piece of data) await handle.writeFile(piece); // appends at the position
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** Makes a rename or create in `dir` durable. Some platforms cannot open folders; that is fine. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot fsync a directory; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/**
 * Dovecot-compatible dot-locking: `<file>.lock` created with O_EXCL. The new content is written
 * into the lock file and renamed over the target, which also releases the lock — the way
 * Dovecot replaces `dovecot-uidlist`. A lock older than the stale timeout is broken.
 */
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError, storeErrorFromFs } from '../errors.js';

/** Dovecot breaks a `dovecot-uidlist.lock` untouched for two minutes. */
export const DOTLOCK_STALE_MS = 120_000;
/** How long we wait for another writer before giving up with IN_USE. */
export const DOTLOCK_WAIT_MS = 10_000;
const RETRY_MS = 20;

export class DotLock {
  readonly #target: string;
  readonly #lockPath: string;
  #handle: FileHandle | undefined;

  private constructor(target: string, handle: FileHandle) {
    this.#target = target;
    this.#lockPath = `${target}.lock`;
    this.#handle = handle;
  }

  static async acquire(target: string, waitMs = DOTLOCK_WAIT_MS): Promise<DotLock> {
    const lockPath = `${target}.lock`;
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        const handle = await open(lockPath, 'wx', 0o600);
        return new DotLock(target, handle);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw storeErrorFromFs(err, lockPath);
      }
      if (await isStale(lockPath)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() >= deadline) {
        throw new StoreError('IN_USE', `${lockPath} is held by another process`);
      }
      await sleep(RETRY_MS);
    }
  }

  /** Writes `content` into the lock file, syncs it and renames it over the target. */
  async replace(content: string): Promise<void> {
    const handle = this.#take();
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(this.#lockPath, this.#target);
    } catch (err) {
      await rm(this.#lockPath, { force: true });
      throw storeErrorFromFs(err, this.#target);
    }
  }

  /** Gives the lock up without changing the target. */
  async release(): Promise<void> {
    if (!this.#handle) return;
    await this.#take().close();
    await rm(this.#lockPath, { force: true });
  }

  #take(): FileHandle {
    const handle = this.#handle;
    if (!handle) throw new Error(`dotlock on ${this.#target} already released`);
    this.#handle = undefined;
    return handle;
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  try {
    const info = await stat(lockPath);
    return Date.now() - info.mtimeMs > DOTLOCK_STALE_MS;
  } catch {
    return false; // vanished meanwhile: the next open will tell
  }
}

/** A unique part for file names made here: `<host>` with `/` and `:` escaped as Maildir asks. */
export function maildirHostname(): string {
  return hostname().replace(/\//g, '\\057').replace(/:/g, '\\072') || 'localhost';
}

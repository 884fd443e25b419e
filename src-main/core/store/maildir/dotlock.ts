/**
 * Dovecot-compatible dot-locking: `<file>.lock` created with O_EXCL, holding `<pid>:<host>` as
 * Dovecot's file-dotlock writes it. The new content is written into the lock file and renamed
 * over the target, which also releases the lock — the way Dovecot replaces `dovecot-uidlist`.
 *
 * A lock is stale, and broken, when it was not touched for the stale timeout, or at once when it
 * names a process of this host that no longer runs (a crash, `kill -9`): a restart must not
 * wait two minutes for its own dead predecessor. A lock naming this very process that it does
 * not hold is stale too (a predecessor with the same pid, as in a fresh container).
 */
import { open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError, storeErrorFromFs } from '../errors.js';

/** Dovecot breaks a `dovecot-uidlist.lock` untouched for two minutes. */
export const DOTLOCK_STALE_MS = 120_000;
/** How long we wait for another writer before giving up with IN_USE. */
export const DOTLOCK_WAIT_MS = 10_000;
const RETRY_MS = 20;
/** `<pid>:<host>`, the most a lock file's owner line can be. */
const OWNER_MAX_BYTES = 512;

/** Lock files this process holds now. */
const held = new Set<string>();

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
        held.add(lockPath);
        const lock = new DotLock(target, handle);
        await handle.writeFile(`${process.pid}:${hostname()}`).catch(() => undefined);
        return lock;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw storeErrorFromFs(err, lockPath);
      }
      const stale = await staleLock(lockPath);
      if (stale !== undefined) {
        await breakLock(lockPath, stale);
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
      await handle.truncate(0); // the owner line goes: the lock file becomes the new target
      await handle.write(content, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(this.#lockPath, this.#target);
    } catch (err) {
      await rm(this.#lockPath, { force: true });
      throw storeErrorFromFs(err, this.#target);
    } finally {
      held.delete(this.#lockPath);
    }
  }

  /** Gives the lock up without changing the target. */
  async release(): Promise<void> {
    if (!this.#handle) return;
    await this.#take().close();
    await rm(this.#lockPath, { force: true });
    held.delete(this.#lockPath);
  }

  #take(): FileHandle {
    const handle = this.#handle;
    if (!handle) throw new Error(`dotlock on ${this.#target} already released`);
    this.#handle = undefined;
    return handle;
  }
}

/** The inode of a stale lock file, or undefined if the lock is live (or gone meanwhile). */
async function staleLock(lockPath: string): Promise<number | undefined> {
  try {
    const info = await stat(lockPath);
    if (Date.now() - info.mtimeMs > DOTLOCK_STALE_MS) return info.ino;
    const owner = await readOwner(lockPath);
    if (owner && owner.host === hostname() && !ownerRuns(owner.pid, lockPath)) return info.ino;
  } catch {
    // vanished meanwhile: the next open will tell
  }
  return undefined;
}

/** `<pid>:<host>` from a lock file; undefined while it is empty or holds something else. */
async function readOwner(lockPath: string): Promise<{ pid: number; host: string } | undefined> {
  const text = (await readFile(lockPath, 'utf8')).slice(0, OWNER_MAX_BYTES);
  const match = /^(\d{1,10}):([^\n]+)$/.exec(text);
  return match ? { pid: Number(match[1]), host: match[2]! } : undefined;
}

function ownerRuns(pid: number, lockPath: string): boolean {
  if (pid === process.pid) return held.has(lockPath);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: runs as someone else
  }
}

/** Removes a stale lock unless another process replaced it since it was judged. */
async function breakLock(lockPath: string, ino: number): Promise<void> {
  const now = await stat(lockPath).catch(() => undefined);
  if (now?.ino === ino) await rm(lockPath, { force: true });
}

/** A unique part for file names made here: `<host>` with `/` and `:` escaped as Maildir asks. */
export function maildirHostname(): string {
  return hostname().replace(/\//g, '\\057').replace(/:/g, '\\072') || 'localhost';
}

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
import type { Stats } from 'node:fs';
import { link, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
/** Lock files this process is trying to create now. */
const attempting = new Set<string>();

export class DotLock {
  readonly #target: string;
  readonly #lockPath: string;
  #held = true;

  private constructor(target: string) {
    this.#target = target;
    this.#lockPath = `${target}.lock`;
  }

  static async acquire(target: string, waitMs = DOTLOCK_WAIT_MS): Promise<DotLock> {
    const lockPath = `${target}.lock`;
    const deadline = Date.now() + waitMs;
    for (;;) {
      // One attempt at a time per lock in this process: the scratch file beside the lock is
      // named by host and pid only, so two concurrent attempts (or an attempt while this
      // process holds the lock and replaces the target through the same name) would remove
      // each other's files. Waiting here is waiting for the holder, as for another process.
      if (!held.has(lockPath) && !attempting.has(lockPath)) {
        attempting.add(lockPath);
        let created: boolean;
        try {
          created = await createLock(lockPath);
        } finally {
          attempting.delete(lockPath);
        }
        if (created) {
          held.add(lockPath);
          return new DotLock(target);
        }
        const stale = await staleLock(lockPath);
        if (stale !== undefined) {
          await breakLock(lockPath, stale);
          continue;
        }
      }
      if (Date.now() >= deadline) {
        throw new StoreError('IN_USE', `${lockPath} is held by another process`);
      }
      await sleep(RETRY_MS);
    }
  }

  /**
   * Writes `content` to a file of ours beside the lock, syncs it, renames it over the target
   * and releases the lock; returns the new file's stat. The lock keeps its owner line throughout, so a crash at any point
   * leaves a lock the next process can tell is stale.
   */
  async replace(content: string): Promise<Stats> {
    this.#take();
    const temp = ownFile(this.#lockPath);
    try {
      const handle = await open(temp, 'w', 0o600);
      let written: Stats;
      try {
        await handle.writeFile(content);
        await handle.sync();
        written = await handle.stat(); // what the target is after the rename
      } finally {
        await handle.close();
      }
      await rename(temp, this.#target);
      return written;
    } catch (err) {
      await rm(temp, { force: true });
      throw storeErrorFromFs(err, this.#target);
    } finally {
      await rm(this.#lockPath, { force: true });
      held.delete(this.#lockPath);
    }
  }

  /** Gives the lock up without changing the target. */
  async release(): Promise<void> {
    if (!this.#held) return;
    this.#take();
    await rm(this.#lockPath, { force: true });
    held.delete(this.#lockPath);
  }

  #take(): void {
    if (!this.#held) throw new Error(`dotlock on ${this.#target} already released`);
    this.#held = false;
  }
}

/** `<lock>.<host>.<pid>`: this process's scratch file beside a lock. */
function ownFile(lockPath: string, pid = process.pid, host = maildirHostname()): string {
  return `${lockPath}.${host}.${pid}`;
}

/**
 * Creates the lock with its owner line already in it, as Dovecot does: the line is written to
 * a file of ours and hard-linked to the lock name, which fails if the lock exists. Where hard
 * links are not supported, O_EXCL and then the line.
 */
async function createLock(lockPath: string): Promise<boolean> {
  const owner = `${process.pid}:${hostname()}`;
  const temp = ownFile(lockPath);
  try {
    await writeFile(temp, owner, { mode: 0o600 });
    try {
      await link(temp, lockPath);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw err;
    }
    const handle = await open(lockPath, 'wx', 0o600);
    await handle.writeFile(owner).finally(() => handle.close());
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw storeErrorFromFs(err, lockPath);
  } finally {
    await rm(temp, { force: true });
  }
}

/** The inode of a stale lock file, or undefined if the lock is live (or gone meanwhile). */
async function staleLock(lockPath: string): Promise<number | undefined> {
  try {
    const info = await stat(lockPath);
    if (Date.now() - info.mtimeMs > DOTLOCK_STALE_MS) return info.ino;
    const owner = await readOwner(lockPath);
    if (owner && owner.host === hostname() && !ownerRuns(owner.pid, lockPath)) {
      await rm(ownFile(lockPath, owner.pid), { force: true }); // its unfinished new content
      return info.ino;
    }
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

/**
 * Reading `dovecot-uidlist` from disk while other programs may be writing it, and merging what
 * it says with what a folder already knows.
 *
 * Dovecot and Mailport replace the file by renaming a complete new one over it (under the
 * dotlock), so a reader sees the old or the new file, never half of one. A backup being
 * restored (`cp`, a file manager) writes in place instead: a reader can see it empty, cut
 * in the middle of a line, or cut at a line end. Such a file is not damaged, it is not finished:
 * it is read again once it has settled, and never replaced by a new UIDVALIDITY meanwhile.
 */
import { stat } from 'node:fs/promises';
import { readText } from '../../util/read-text.js';
import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseUidList, UidListFormatError, type UidList, type UidRecord } from './uidlist.js';

/** A file written in place this recently may still be being written. */
const SETTLE_MS = 1000;
/** The longest a reader waits for a file being written in place to settle. */
const SETTLE_WAIT_MS = 5000;
const SETTLE_POLL_MS = 100;

export type UidListOnDisk =
  | { readonly kind: 'valid'; readonly list: UidList; readonly stamp: string }
  | { readonly kind: 'missing'; readonly stamp: undefined }
  /** Being written in place (empty, a partial line, or changed this very moment). */
  | { readonly kind: 'busy'; readonly stamp: string }
  | { readonly kind: 'damaged'; readonly stamp: string };

/**
 * Reads the uidlist. `stamp` (inode, size, mtime) tells whether it changed since a read.
 * `settle` waits (bounded) for a file being written in place to be finished; a file still
 * unfinished after that is reported damaged.
 */
export async function readUidListFile(
  path: string,
  options: { settle?: boolean } = {},
): Promise<UidListOnDisk> {
  const deadline = Date.now() + SETTLE_WAIT_MS;
  for (;;) {
    const read = await readOnce(path);
    if (read.kind !== 'busy' || !options.settle) return read;
    if (Date.now() >= deadline) return { kind: 'damaged', stamp: read.stamp };
    await sleep(SETTLE_POLL_MS);
  }
}

/** The file's stamp without reading it (undefined when there is none). */
/** The uidlist's stamp, or undefined when it is missing; one stat, done at once. */
export function uidListStampNow(path: string): string | undefined {
  const info = statSync(path, { throwIfNoEntry: false });
  return info && stampOf(info);
}

/** Inode, size and mtime: any writer changes one of them. */
export function stampOf(info: { ino: number; size: number; mtimeMs: number }): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}`;
}

async function readOnce(path: string): Promise<UidListOnDisk> {
  let text: string;
  let before;
  try {
    before = await stat(path);
    text = await readText(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { kind: 'missing', stamp: undefined };
    throw err;
  }
  const after = await stat(path).catch(() => undefined);
  const stamp = stampOf(before);
  const recent = Date.now() - before.mtimeMs < SETTLE_MS;
  const moving =
    !after ||
    after.ino !== before.ino ||
    after.size !== before.size ||
    after.mtimeMs !== before.mtimeMs;
  // Every writer ends the file with a line end; a file without one is not finished yet.
  if (moving || (recent && !text.endsWith('\n'))) return { kind: 'busy', stamp };
  try {
    if (!text.endsWith('\n')) throw new UidListFormatError('no line end at the end');
    return { kind: 'valid', list: parseUidList(text), stamp };
  } catch (err) {
    if (!(err instanceof UidListFormatError)) throw err;
    return { kind: recent ? 'busy' : 'damaged', stamp };
  }
}

/**
 * The file's list, with what only `ours` knows added when both have the same UIDVALIDITY: a
 * record for a file the disk list does not name, under a UID it does not use (an older or
 * partly copied list lacks it; whether the file still exists is the listing's business).
 * `changed` says the merged list differs from the file.
 */
export function mergeUidLists(
  disk: UidList,
  ours: UidList | undefined,
): { list: UidList; changed: boolean } {
  if (!ours || ours.uidValidity !== disk.uidValidity) return { list: disk, changed: false };
  const bases = new Set<string>();
  const uids = new Set<number>();
  for (const r of disk.records) {
    bases.add(r.base);
    uids.add(r.uid);
  }
  const extra: UidRecord[] = ours.records.filter((r) => !bases.has(r.base) && !uids.has(r.uid));
  const nextUid = Math.max(disk.nextUid, ours.nextUid);
  if (extra.length === 0 && nextUid === disk.nextUid) return { list: disk, changed: false };
  const records = [...disk.records, ...extra].sort((a, b) => a.uid - b.uid);
  return { list: { ...disk, nextUid, records }, changed: true };
}

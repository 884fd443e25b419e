/**
 * UIDVALIDITY values unique for every mailbox of one Maildir, ever (RFC 3501 §2.3.1.1: a name
 * that is deleted and created again must not get the UIDVALIDITY it had). Kept the way Dovecot
 * 2.3 keeps it at the Maildir's root, so both hand out values from one counter:
 *
 * - `dovecot-uidvalidity.<8 hex digits>`: an empty file whose name is the last value given.
 *   Taking the next value is renaming it to the next name: the rename succeeds for one writer
 *   only, so two processes never take the same value.
 * - `dovecot-uidvalidity`: the same last value in hex, for readers.
 *
 * The next value is the current time in seconds, or the last value + 1 if that is not lower.
 */
import { open, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomic-file.js';

export const UIDVALIDITY_FILE = 'dovecot-uidvalidity';
const CLAIM_PATTERN = /^dovecot-uidvalidity\.([0-9a-f]{8})$/;
/** Attempts before giving up on a counter other processes keep taking values from. */
const CLAIM_ATTEMPTS = 20;
const MAX_UIDVALIDITY = 0xffffffff;

/** Takes the next UIDVALIDITY for a mailbox of the Maildir at `root`. */
export async function nextUidValidity(root: string): Promise<number> {
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const last = await lastClaimed(root);
    const next = following(last ?? (await lastWritten(root)));
    const target = join(root, claimName(next));
    try {
      if (last === undefined) {
        await (await open(target, 'wx', 0o600)).close();
      } else {
        await rename(join(root, claimName(last)), target);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EEXIST') continue; // another process took it first
      throw err;
    }
    await writeFileAtomic(join(root, UIDVALIDITY_FILE), next.toString(16).padStart(8, '0'));
    return next;
  }
  throw new Error(`${root}: could not take a UIDVALIDITY from ${UIDVALIDITY_FILE}`);
}

/** The last value given: the highest claim file (normally the only one). */
async function lastClaimed(root: string): Promise<number | undefined> {
  let highest: number | undefined;
  for (const name of await readdir(root)) {
    const match = CLAIM_PATTERN.exec(name);
    if (!match) continue;
    const value = parseInt(match[1]!, 16);
    if (highest === undefined || value > highest) highest = value;
  }
  return highest;
}

/** The value in `dovecot-uidvalidity` alone (its claim file lost), or 0. */
async function lastWritten(root: string): Promise<number> {
  const text = await readFile(join(root, UIDVALIDITY_FILE), 'utf8').catch(() => '');
  const value = parseInt(text.trim(), 16);
  return Number.isInteger(value) && value > 0 && value <= MAX_UIDVALIDITY ? value : 0;
}

function following(last: number): number {
  const now = Math.floor(Date.now() / 1000);
  const next = last < now ? now : last + 1;
  return next > MAX_UIDVALIDITY ? 1 : next;
}

function claimName(value: number): string {
  return `${UIDVALIDITY_FILE}.${value.toString(16).padStart(8, '0')}`;
}

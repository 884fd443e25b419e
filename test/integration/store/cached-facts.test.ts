/**
 * Issue 16: after a restart, a message named with its size (S=) is described from
 * `mailport.cache` without a stat of its file (10,000 stats took ~100 ms of the first FETCH),
 * as Dovecot describes it from its index: its size and INTERNALDATE are those first seen.
 * A file whose size no longer matches the cache is looked at again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MaildirStore } from '../../../src-main/core/store/maildir/maildir-store.js';

const FIRST_SEEN_S = 1_700_000_000;
const TOUCHED_S = 1_600_000_000;
let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mailport-cached-facts-'));
  await new MaildirStore(root).ensure();
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** Size and INTERNALDATE (seconds) of every message, as a new process would first see them. */
async function describeAll(): Promise<[number, number][]> {
  const inbox = await new MaildirStore(root).openMailbox('INBOX');
  try {
    const { messages } = await inbox.sync({ claimRecent: false });
    return messages.map((m) => [m.size, m.internalDate.getTime() / 1000]);
  } finally {
    await inbox.close(); // writes mailport.cache
  }
}

describe('a message after a restart', () => {
  it('keeps the size and date first seen when its name still gives the cached size', async () => {
    const name = '1700000001.M1P1.h,S=4,W=6:2,';
    await writeFile(join(root, 'cur', name), 'a\nb\n');
    await utimes(join(root, 'cur', name), FIRST_SEEN_S, FIRST_SEEN_S);
    expect(await describeAll()).toEqual([[6, FIRST_SEEN_S]]);
    await utimes(join(root, 'cur', name), TOUCHED_S, TOUCHED_S);
    expect(await describeAll()).toEqual([[6, FIRST_SEEN_S]]);
  });

  it('is looked at again when its name has no size or another size than the cache', async () => {
    const unnamed = '1700000001.M1P1.h:2,';
    const misnamed = '1700000002.M1P1.h,S=999,W=999:2,';
    for (const name of [unnamed, misnamed]) {
      await writeFile(join(root, 'cur', name), 'a\nb\n');
      await utimes(join(root, 'cur', name), FIRST_SEEN_S, FIRST_SEEN_S);
    }
    expect(await describeAll()).toEqual([
      [6, FIRST_SEEN_S],
      [6, FIRST_SEEN_S],
    ]);
    for (const name of [unnamed, misnamed]) {
      await writeFile(join(root, 'cur', name), 'a\nb\nc\n');
      await utimes(join(root, 'cur', name), TOUCHED_S, TOUCHED_S);
    }
    expect(await describeAll()).toEqual([
      [9, TOUCHED_S],
      [9, TOUCHED_S],
    ]);
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MODSEQ_FILE, ModseqFile } from '../../../src-main/core/store/maildir/modseq-file.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function folder(content?: string): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'mailport-modseq-unit-'));
  if (content !== undefined) await writeFile(join(dir, MODSEQ_FILE), content);
  return dir;
}

describe('mailport-modseq expunge history', () => {
  it('reads a version-1 file (CONDSTORE only) with nothing known at or below its ceiling', async () => {
    const file = new ModseqFile(await folder('mailport-modseq 1 7 50\n1 40 S\n2 45 \n'));
    await file.load(7, false);
    file.found(1, 'S'); // message 2 is gone: found missing by the first sync
    file.settle();
    expect(file.expungedSince(49)).toBeUndefined();
    expect(file.expungedSince(50)).toEqual([2]);
  });

  it('keeps the true floor only when written at close', async () => {
    const path = await folder();
    const file = new ModseqFile(path);
    await file.load(7, true);
    file.found(1, '');
    file.found(2, '');
    await file.batch(async () => file.expunged(2));
    await file.save([{ uid: 1, modseq: 1, letters: '' }]);
    const open = await readFile(join(path, MODSEQ_FILE), 'latin1');
    // A never-used folder starts at HIGHESTMODSEQ 1 (RFC 7162 §7): the changes take 2, 3, 4.
    expect(open).toMatch(/^mailport-modseq 2 7 1004 1004\n1 1 \nx 4 2\n$/);
    await file.save([{ uid: 1, modseq: 1, letters: '' }], true);
    const closed = await readFile(join(path, MODSEQ_FILE), 'latin1');
    expect(closed).toBe('mailport-modseq 2 7 4 0\n1 1 \nx 4 2\n');
    const again = new ModseqFile(path);
    await again.load(7, false);
    expect(again.expungedSince(0)).toEqual([2]);
    expect(again.expungedSince(4)).toEqual([]);
  });

  it('takes a file with expunges out of order or above the ceiling as damage', async () => {
    for (const text of [
      'mailport-modseq 2 7 10 0\nx 5 1\nx 4 2\n',
      'mailport-modseq 2 7 10 0\nx 11 1\n',
      'mailport-modseq 2 7 10 11\n',
      'mailport-modseq 2 7 10\n',
    ]) {
      const file = new ModseqFile(await folder(text));
      await file.load(7, false);
      expect(file.highest).toBeGreaterThan(10); // restarted at the time: damage
      expect(file.expungedSince(10)).toBeUndefined();
      await rm(dir!, { recursive: true, force: true });
    }
  });
});

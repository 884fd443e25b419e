import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readText } from '../../../src-main/core/util/read-text.js';

const dir = mkdtempSync(join(tmpdir(), 'read-text-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reading a text file in pieces', () => {
  it('gives what readFile gives, with multi-octet characters across every piece boundary', async () => {
    // 'é' is two octets and '€' three in UTF-8: an odd prefix shifts them over the 64 KiB marks.
    for (const prefix of ['', 'a', 'ab']) {
      const path = join(dir, `utf8-${prefix.length}`);
      writeFileSync(path, prefix + 'é€x\n'.repeat(60_000));
      expect(await readText(path, 'utf8')).toBe(readFileSync(path, 'utf8'));
    }
  });

  it('reads latin1, an empty file, and reports a missing one as readFile does', async () => {
    const path = join(dir, 'latin1');
    writeFileSync(path, Buffer.from([0xe9, 0x0a, 0xff].concat(Array(200_000).fill(0x41))));
    expect(await readText(path, 'latin1')).toBe(readFileSync(path, 'latin1'));
    writeFileSync(join(dir, 'empty'), '');
    expect(await readText(join(dir, 'empty'), 'utf8')).toBe('');
    await expect(readText(join(dir, 'missing'), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

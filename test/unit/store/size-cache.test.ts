/**
 * `mailport.cache` on disk (store/maildir/size-cache.ts): a version 3 file is read and
 * written again as version 4; a line's extra facts are kept as written until asked for, named
 * before them, and written back unchanged; a damaged facts part reads as none while the
 * line's sizes are still used.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SizeCache } from '../../../src-main/core/store/maildir/size-cache.js';
import { readCacheFile } from '../../helpers/cache-file.js';

let work: string | undefined;

afterEach(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  work = undefined;
});

async function cacheFile(text: string): Promise<string> {
  work = await mkdtemp(join(tmpdir(), 'mailport-cache-unit-'));
  const path = join(work, 'mailport.cache');
  await writeFile(path, text);
  return path;
}

const ENVELOPE = { subject: 'Hello "you"', from: ['a@example.org'] };

describe('mailport.cache', () => {
  it('reads a version 3 file and writes it as version 4 at the next save', async () => {
    const path = await cacheFile(
      'mailport.cache 3\n' +
        `${JSON.stringify(['1.M1P1.host', 10, 1000.5, 12, { envelope: ENVELOPE }])}\n` +
        `${JSON.stringify(['2.M2P1.host', 20, 2000, 22])}\n`,
    );
    const cache = new SizeCache(path);
    await cache.load();
    expect(cache.getExtra('1.M1P1.host', 'envelope')).toEqual(ENVELOPE);
    expect(cache.dirty).toBe(true); // written again at the next save, changed or not
    cache.setExtra('2.M2P1.host', 'lines', 3);
    await cache.save();
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')[0]).toBe('mailport.cache 4');
    expect([...(await readCacheFile(path)).entries()]).toEqual([
      [
        '1.M1P1.host',
        { fileSize: 10, mtimeMs: 1000.5, wireSize: 12, extra: { envelope: ENVELOPE } },
      ],
      ['2.M2P1.host', { fileSize: 20, mtimeMs: 2000, wireSize: 22, extra: { lines: 3 } }],
    ]);
  });

  it('names each line’s facts and writes facts it did not parse back as they were', async () => {
    const kept = `["a\\"b.M1P1.host",10,1000,12,"envelope lines",{"envelope":{"subject":"x"},"lines":4}]`;
    const path = await cacheFile(`mailport.cache 4\n${kept}\nnot a line\n`);
    const cache = new SizeCache(path);
    await cache.load();
    expect(cache.hasExtras('a"b.M1P1.host', ['envelope', 'lines'])).toBe(true);
    expect(cache.hasExtras('a"b.M1P1.host', ['structure'])).toBe(false);
    cache.set('2.M2P1.host', { fileSize: 20, mtimeMs: 2000, wireSize: 22 });
    await cache.save(); // the damaged line asks for a rewrite
    expect(await readFile(path, 'utf8')).toBe(
      `mailport.cache 4\n${kept}\n["2.M2P1.host",20,2000,22]\n`,
    );
    const again = new SizeCache(path);
    await again.load();
    expect(again.getExtra('a"b.M1P1.host', 'lines')).toBe(4);
    again.setExtra('2.M2P1.host', 'lines', 1);
    await again.save();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.at(-2)).toBe('["2.M2P1.host",20,2000,22,"lines",{"lines":1}]');
  });

  it('reads a damaged facts part as none and still uses the line’s sizes', async () => {
    const path = await cacheFile(
      'mailport.cache 4\n["1.M1P1.host",10,1000,12,"envelope",{"envelope":}]\n',
    );
    const cache = new SizeCache(path);
    await cache.load();
    expect(cache.get('1.M1P1.host', 10, 1000)?.wireSize).toBe(12);
    expect(cache.getExtra('1.M1P1.host', 'envelope')).toBeUndefined();
    expect(cache.hasExtras('1.M1P1.host', ['envelope'])).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import {
  copyAsCrlf,
  CrlfTransform,
  crlfLength,
  toCrlf,
  WireSizeCounter,
} from '../../../src-main/core/store/crlf.js';

async function viaStream(chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of Readable.from(chunks).pipe(new CrlfTransform())) out.push(c as Buffer);
  return Buffer.concat(out);
}

describe('CRLF conversion', () => {
  const cases = ['a\nb\n', 'a\r\nb\r\n', 'mixed\r\nlf\nlone\rcr\n', '\n\n', 'no newline', ''];

  it.each(cases)('converts %j the same way byte-at-a-time and whole', async (text) => {
    const whole = toCrlf(Buffer.from(text));
    const bytes = [...Buffer.from(text)].map((b) => Buffer.from([b]));
    expect(await viaStream(bytes)).toEqual(whole);
    expect(whole.toString()).not.toMatch(/[^\r]\n|^\n/);
  });

  it.each([...cases, '\r\n\nx\r', '\n', '\r'])(
    'writes %j into memory of its wire length',
    (text) => {
      const data = Buffer.from(text);
      const target = Buffer.alloc(crlfLength(data), '#');
      copyAsCrlf(data, target);
      expect(target).toEqual(toCrlf(data));
    },
  );

  it.each(cases)('counts exactly the bytes sent for %j', (text) => {
    const counter = new WireSizeCounter();
    for (const b of Buffer.from(text)) counter.add(Buffer.from([b]));
    expect(counter.size).toBe(toCrlf(Buffer.from(text)).length);
  });

  it('keeps a CR that ends one chunk and the LF that starts the next as one line end', async () => {
    expect((await viaStream([Buffer.from('a\r'), Buffer.from('\nb')])).toString()).toBe('a\r\nb');
    const split = await viaStream([Buffer.from('a\r'), Buffer.from('\nb\nc\n')]);
    expect(split.toString()).toBe('a\r\nb\r\nc\r\n');
  });

  it('converts a large LF-only message exactly like a CRLF one', () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ü`);
    expect(toCrlf(Buffer.from(lines.join('\n') + '\n'))).toEqual(
      Buffer.from(lines.join('\r\n') + '\r\n'),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { DotStuffer, DotStuffTransform } from '../../../src-main/core/pop3/dot-stuff.js';

async function stuff(text: string, maxBodyLines?: number, chunkSize = 1): Promise<string> {
  const data = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  const t = new DotStuffTransform(maxBodyLines === undefined ? {} : { maxBodyLines });
  for await (const c of Readable.from(chunks).pipe(t)) out.push(c as Buffer);
  return Buffer.concat(out).toString();
}

describe('POP3 dot-stuffing (RFC 1939 §3)', () => {
  it.each([1, 3, 1000])('doubles leading dots and terminates, in chunks of %i', async (size) => {
    const msg = 'Subject: x\r\n\r\n.hidden\r\n..two\r\nmid.dle\r\n.\r\n';
    expect(await stuff(msg, undefined, size)).toBe(
      'Subject: x\r\n\r\n..hidden\r\n...two\r\nmid.dle\r\n..\r\n.\r\n',
    );
  });

  it('adds a line end before the terminator when the message lacks one', async () => {
    expect(await stuff('Subject: x\r\n\r\nlast')).toBe('Subject: x\r\n\r\nlast\r\n.\r\n');
  });

  it('sends only the terminator for an empty message', async () => {
    expect(await stuff('')).toBe('.\r\n');
  });

  it.each([
    [0, 'A: 1\r\nB: 2\r\n\r\n.\r\n'],
    [2, 'A: 1\r\nB: 2\r\n\r\nl1\r\n..l2\r\n.\r\n'],
    [10, 'A: 1\r\nB: 2\r\n\r\nl1\r\n..l2\r\nl3\r\n.\r\n'],
  ])('TOP with %i body lines', async (n, expected) => {
    expect(await stuff('A: 1\r\nB: 2\r\n\r\nl1\r\n.l2\r\nl3\r\n', n)).toBe(expected);
  });

  const tricky = '.a\r\nH: .x\r\n\r\n.\r\n..\r\n\r\n.b\r\nc.\r\n\r\r\n.\r\n.d\r\ne\r\n.';

  it.each([1, 2, 5, 1000])('gives the same bytes whole and in chunks of %i', async (size) => {
    const whole = new DotStuffer();
    const once = Buffer.concat([whole.push(Buffer.from(tricky)), whole.end()]).toString();
    expect(await stuff(tricky, undefined, size)).toBe(once);
    expect(once).toBe(
      '..a\r\nH: .x\r\n\r\n..\r\n...\r\n\r\n..b\r\nc.\r\n\r\r\n..\r\n..d\r\ne\r\n..\r\n.\r\n',
    );
  });

  it.each([1, 2, 5, 1000])('cuts TOP at the same line in chunks of %i', async (size) => {
    const top = new DotStuffer({ maxBodyLines: 3 });
    const once = Buffer.concat([top.push(Buffer.from(tricky)), top.end()]).toString();
    expect(await stuff(tricky, 3, size)).toBe(once);
    expect(once).toBe('..a\r\nH: .x\r\n\r\n..\r\n...\r\n\r\n.\r\n');
  });
});

import { describe, expect, it } from 'vitest';
import { printableText, quoteInput } from '../../../src-main/core/net/client-text.js';
import { statusLine } from '../../../src-main/core/pop3/status-line.js';

describe('client text in replies', () => {
  it.each([
    ['INBOX', 'INBOX'],
    ['a\r\n* 1 EXISTS', 'a??* 1 EXISTS'],
    ['nul\0 and \xe9\u2603', 'nul? and ??'],
    ['x'.repeat(41), `${'x'.repeat(37)}...`],
    ['x'.repeat(40), 'x'.repeat(40)],
  ])('quotes %j as %j', (input, expected) => {
    expect(quoteInput(input)).toBe(expected);
  });

  it('bounds a whole reply text', () => {
    expect(printableText('y'.repeat(10_000))).toHaveLength(400);
  });

  it('keeps a POP3 status line to 512 octets with its CRLF (RFC 1939 §3)', () => {
    const line = statusLine('-ERR', `bad ${'\0\xff'.repeat(4000)}`);
    expect(line.length).toBeLessThanOrEqual(512);
    expect(line).toMatch(/^-ERR [\x20-\x7e]+\r\n$/);
    expect(statusLine('+OK', '')).toBe('+OK\r\n');
  });
});

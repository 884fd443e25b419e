/**
 * The fuzz suite's oracles must be able to fail: each is shown a bad response it has to
 * report and a good one it has to accept, fed whole and a byte at a time.
 */
import { describe, expect, it } from 'vitest';
import { frameImap, needsTurns } from '../../fuzz/imap-framer.js';
import { ImapResponseReader } from '../../fuzz/imap-responses.js';
import { Pop3ResponseReader } from '../../fuzz/pop3-responses.js';

function imapProblems(text: string, bytewise: boolean): string[] {
  const reader = new ImapResponseReader((tag) => tag === 'a1');
  const bytes = Buffer.from(text, 'latin1');
  const chunks = bytewise ? [...bytes].map((b) => Buffer.from([b])) : [bytes];
  return chunks.flatMap((c) => reader.push(c).problems.map((p) => `${p.kind}: ${p.message}`));
}

describe('IMAP response oracle', () => {
  for (const bytewise of [false, true]) {
    it(`accepts valid responses${bytewise ? ', a byte at a time' : ''}`, () => {
      const good =
        '* OK [CAPABILITY IMAP4rev1] ready\r\n* 1 FETCH (BODY[] {7}\r\nab\r\n\x00\xff\r UID 4)\r\n+ go on\r\na1 OK done\r\n';
      expect(imapProblems(good, bytewise)).toEqual([]);
    });
  }
  it('takes UTF-8 in data lines only after ENABLED UTF8=ACCEPT, and never malformed', () => {
    const name = '* LIST () "/" "F\xc3\xa4r"\r\n'; // "Fär" in UTF-8, as latin1 bytes
    expect(imapProblems(name, false).join('\n')).toContain('outside a literal');
    const enabled = '* ENABLED UTF8=ACCEPT\r\na1 OK done\r\n';
    expect(imapProblems(enabled + name, true)).toEqual([]);
    expect(imapProblems(enabled + '* LIST () "/" "F\xe4r"\r\n', false).join('\n')).toContain(
      'outside a literal',
    );
  });
  it.each([
    ['a2 OK done\r\n', 'a tag the client never sent'],
    ['a1 NO [SERVERBUG] oops\r\n', 'serverbug'],
    ['a1 BAD bad \xfc name\r\n', '8-bit byte in a status response'],
    ['a1 BAD x\x00y\r\n', 'NUL'],
    ['a1 BAD x\ry\r\n', 'bare CR'],
    ['a1 BAD x\ny\r\n', 'bare LF'],
    ['* 1 FETCH (FLAGS (\xfc))\r\n', 'outside a literal'],
    ['hello\r\n', 'not an IMAP response'],
    ['a1 BYE no\r\n', 'without OK/NO/BAD'],
  ])('reports %j', (line, problem) => {
    expect(imapProblems(line, false).join('\n')).toContain(problem);
  });
});

describe('POP3 response oracle', () => {
  it('accepts a dot-stuffed multi-line answer and reports what is wrong', () => {
    const reader = new Pop3ResponseReader();
    reader.expect({ multiline: true });
    reader.expect({ multiline: false });
    reader.expect({ multiline: false });
    const out = reader.push(
      Buffer.from(
        `+OK 2 octets\r\n..x\r\n.\r\n-ERR no \x00\r\n+OK ${'x'.repeat(600)}\r\n`,
        'latin1',
      ),
    );
    expect(out.statuses.map((s) => s.kind)).toEqual(['+OK', '-ERR', '+OK']);
    expect(out.problems.map((p) => p.message)).toEqual([
      'control or 8-bit byte in a status line',
      'status line of 606 octets (RFC 2449 §4: at most 512)',
    ]);
    reader.expect({ multiline: true });
    expect(reader.push(Buffer.from('+OK\r\n.x\r\n.\r\n')).problems.map((p) => p.message)).toEqual([
      'a body line starting with "." not dot-stuffed',
    ]);
  });
});

describe('IMAP framing model', () => {
  it('finds commands, synchronising literals and completes a cut input', () => {
    const units = frameImap(
      Buffer.from('a1 LOGIN {3}\r\nabc {2+}\r\nxy\r\na2 NOOP\r\na3 SELECT {5}'),
    )!;
    expect(units.map((u) => u.tag)).toEqual(['a1', 'a2', 'a3']);
    expect(units[0]!.syncPoints).toEqual([14]);
    expect(units[2]!.bytes.toString()).toBe('a3 SELECT {5}\r\nxxxxx\r\n');
    expect(needsTurns(units)).toBe(true);
    expect(needsTurns(frameImap(Buffer.from('a1 NOOP\r\n'))!)).toBe(false);
  });
  it('refuses to pad a literal too large to send', () => {
    expect(frameImap(Buffer.from('a1 APPEND x {5000000+}\r\n'))).toBeUndefined();
  });
  it('keeps the rest of a command refused for an overlong line in that command, with no "+"', () => {
    // The server answers BAD at the overlong line, then skips the {4+} literal and its line;
    // the {0} in that line belongs to the refused command, so no "+" comes for it.
    const long = 'x'.repeat(70_000);
    const units = frameImap(Buffer.from(`d1 APPEND ${long} {4+}\r\nFuzz {0}\r\n\r\nd2 NOOP\r\n`))!;
    expect(units.map((u) => u.bytes.toString().slice(-12))).toEqual([
      '\r\nFuzz {0}\r\n',
      '\r\n',
      'd2 NOOP\r\n',
    ]);
    expect(units.map((u) => u.syncPoints)).toEqual([[], [], []]);
    expect(needsTurns(units)).toBe(false);
  });
  it('skips non-synchronising literals chained after a refused one', () => {
    const big = 2 * 1024 * 1024;
    const units = frameImap(
      Buffer.concat([
        Buffer.from(`a1 SEARCH TEXT {${big}+}\r\n`),
        Buffer.alloc(big, 0x61),
        Buffer.from(' {3+}\r\nabc NOOP\r\na2 NOOP\r\n'),
      ]),
    )!;
    expect(units.map((u) => u.tag)).toEqual(['a1', 'a2']);
  });
});

/**
 * Whole messages on the wire, byte for byte: files with every kind of line end (bare CR,
 * mixed, no final newline, empty, already CRLF, lines starting with a dot) and sizes on both
 * sides of the read limits (256 KiB, 1 MiB, line ends split between two 1 MiB reads) are fetched with BODY.PEEK[] (whole and partial)
 * and retrieved with POP3 RETR, and compared with a conversion written here independently of
 * the server's (RFC 5322 §2.3: a bare LF becomes CRLF, a lone CR stays; RFC 1939 §3 stuffing).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { startService, type TestService } from '../../helpers/service.js';

const MIB = 1024 * 1024;

/** Lines of varied length, some starting with a dot, joined by `end`. */
function lines(count: number, end: string): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const text = `line ${i} ${'x'.repeat((i * 37) % 150)}`;
    out.push(i % 97 === 0 ? `.${text}` : text);
  }
  return out.join(end);
}

const FILES: readonly (readonly [string, string])[] = [
  ['bare CR', 'Subject: a\rb\n\nx\ry\r\n\r'],
  ['mixed line ends', 'A: 1\r\nB: 2\n\nline\r\nline2\nline3\r\r\n\n\r\n'],
  ['no final newline', 'Subject: x\n\nlast line'],
  ['empty file', ''],
  ['LF first', '\nbody\n'],
  ['CRLF first', '\r\n\nx\r'],
  ['dots', '.x\n..y\n.\nz.\n.'],
  ['already CRLF', `Subject: crlf\r\n\r\n${lines(2_000, '\r\n')}\r\n`],
  ['300 KiB, LF', `Subject: mid\n\n${lines(3_800, '\n')}\n`],
  ['1.5 MiB, mixed', `Subject: big\n\n${lines(9_000, '\n')}\r\n${lines(9_000, '\r\n')}\rend`],
  // Files over 1 MiB are read 1 MiB at a time: a line end split between two reads, or an LF
  // first in a read, is converted as if the file were read whole.
  ['CR last, LF first in the next 1 MiB', upTo(MIB - 1, '\r\n') + `${lines(2_000, '\n')}\n`],
  ['bare LF first in the next 1 MiB', upTo(MIB, '\nafter\n') + lines(20_000, '\n')],
];

/** A header and filler so that `rest` starts at octet `at` of the file. */
function upTo(at: number, rest: string): string {
  const head = 'Subject: cut\n\n';
  return head + 'y'.repeat(at - head.length) + rest;
}

/** The server's expected output, computed without its code. */
function wireOf(raw: string): string {
  return raw.replace(/(?<!\r)\n/g, '\r\n');
}

function pop3Body(wire: string): string {
  const stuffed = wire.replace(/(^|\n)\./g, '$1..');
  return stuffed + (wire === '' || wire.endsWith('\r\n') ? '.\r\n' : '\r\n.\r\n');
}

let t: TestService;
const clients: LineClient[] = [];

beforeEach(async () => {
  t = await startService(undefined, async (maildir) => {
    for (const dir of ['cur', 'new', 'tmp']) await mkdir(join(maildir, dir), { recursive: true });
    for (const [index, [, text]] of FILES.entries()) {
      const name = `${1_700_000_000 + index}.M${index}P1.test:2,`;
      await writeFile(join(maildir, 'cur', name), Buffer.from(text, 'latin1'));
    }
  });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await t.stop();
});

async function connect(port: number): Promise<LineClient> {
  const c = await LineClient.connect(port);
  clients.push(c);
  return c;
}

describe('whole messages on the wire', () => {
  it('BODY.PEEK[] and its partials carry each file converted to CRLF, nothing else', async () => {
    const c = await connect(t.ports.imap);
    await c.line();
    expect((await c.imap('l', `LOGIN ${t.user} "${t.password}"`)).tagged).toMatch(/^l OK /);
    expect((await c.imap('s', 'SELECT INBOX')).tagged).toMatch(/^s OK /);
    const r = await c.imap('f', 'FETCH 1:* (RFC822.SIZE BODY.PEEK[])', 30_000);
    expect(r.tagged).toMatch(/^f OK /);
    expect(r.untagged).toEqual(
      FILES.map(([, text], i) => {
        const wire = wireOf(text);
        return `* ${i + 1} FETCH (RFC822.SIZE ${wire.length} BODY[] {${wire.length}}\r\n${wire})`;
      }),
    );
    for (const [n, [, text]] of FILES.entries()) {
      const wire = wireOf(text);
      const start = Math.floor(wire.length / 3);
      const part = wire.slice(start, start + 70_000);
      const p = await c.imap('p', `FETCH ${n + 1} BODY.PEEK[]<${start}.70000>`, 30_000);
      expect(p.untagged).toEqual([
        `* ${n + 1} FETCH (BODY[]<${start}> {${part.length}}\r\n${part})`,
      ]);
    }
  });

  it('POP3 RETR sends each file in CRLF, dot-stuffed and terminated, nothing else', async () => {
    const c = await connect(t.ports.pop3);
    expect(await c.line()).toMatch(/^\+OK /);
    expect(await c.command(`USER ${t.user}`)).toMatch(/^\+OK/);
    expect(await c.command(`PASS ${t.password}`)).toBe('+OK Logged in.');
    for (const [n, [name, text]] of FILES.entries()) {
      const wire = wireOf(text);
      expect(await c.command(`RETR ${n + 1}`), name).toBe(`+OK ${wire.length} octets`);
      const expected = pop3Body(wire);
      expect(await c.bytes(expected.length, 30_000), name).toBe(expected);
    }
    expect(await c.command('NOOP')).toMatch(/^\+OK/); // the next reply follows the last terminator
  });
});

/**
 * A large message fetched in pieces, as Thunderbird downloads one (`BODY.PEEK[]<offset.65536>`
 * until a piece comes back short): the pieces join into exactly the file in CRLF, and the
 * `mailport serve` process reads the file about twice in all, not once per piece, as it
 * counts in /proc/<pid>/io. The first 100 octets of a large message read no further than the
 * first read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fullTextIndexBuilt } from '../../helpers/fulltext.js';
import { LineClient } from '../../helpers/line-client.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';

const MIB = 1024 * 1024;
const PIECE = 65_536;

/** Lines of varied length with LF ends; a CR right before the 2 MiB mark of the file. */
function lfMessage(): string {
  const head = 'Subject: a large report\nFrom: a@example.org\n\n';
  const lines: string[] = [];
  for (let i = 0, size = head.length; size < 2 * MIB - 200; i++) {
    const line = `line ${i} ${'z'.repeat((i * 53) % 180)}`;
    lines.push(line);
    size += line.length + 1;
  }
  const first = head + lines.join('\n') + '\n';
  const filler = 'y'.repeat(2 * MIB - 1 - first.length);
  const rest: string[] = [];
  for (let i = 0; i < 40_000; i++) rest.push(`more ${i} ${'q'.repeat((i * 31) % 120)}`);
  return `${first}${filler}\r\n${rest.join('\n')}\n`;
}

/** The CRLF form, computed without the server's code: a bare LF becomes CRLF. */
function wireOf(raw: string): string {
  return raw.replace(/(?<!\r)\n/g, '\r\n');
}

/** Octets the process has read so far, files and sockets (`rchar`, proc(5)). */
async function readSoFar(pid: number): Promise<number> {
  const io = await readFile(`/proc/${pid}/io`, 'utf8');
  return Number(/^rchar: (\d+)$/m.exec(io)![1]);
}

/**
 * Waits until the process has read nothing for a second: the start-up reads (the full-text
 * index and the header facts read every message once) would otherwise fall into a test's
 * count on a busy machine.
 */
async function untilReadingStops(pid: number): Promise<void> {
  let last = await readSoFar(pid);
  for (let still = 0, i = 0; still < 4 && i < 240; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await readSoFar(pid);
    still = now === last ? still + 1 : 0;
    last = now;
  }
}

const FILES = {
  lf: lfMessage(),
  crlf: wireOf(lfMessage()).replace('a large report', 'already CRLF'),
};

let maildir: string;
let mailport: RunningMailport;
let c: LineClient;

beforeAll(async () => {
  maildir = await mkdtemp(join(tmpdir(), 'mailport-partial-'));
  for (const dir of ['cur', 'new', 'tmp']) await mkdir(join(maildir, dir));
  for (const [i, text] of Object.values(FILES).entries())
    await writeFile(join(maildir, 'cur', `${1_700_000_000 + i}.M${i}P1.test:2,`), text, 'latin1');
  const account = { user: 'tester', password: 'correct horse battery' };
  const setup = await setUpMailport(maildir, account);
  mailport = await runMailport(setup);
  await fullTextIndexBuilt(setup.dataDir);
  await untilReadingStops(mailport.pid);
  c = await LineClient.connect(mailport.ports.imap);
  await c.line();
  expect((await c.imap('l', `LOGIN ${account.user} "${account.password}"`)).tagged).toMatch(/OK/);
  expect((await c.imap('s', 'SELECT INBOX')).tagged).toMatch(/OK/);
});
afterAll(async () => {
  c?.close();
  await mailport?.stop();
  await rm(maildir, { recursive: true, force: true });
});

/** One piece: the literal of `BODY[]<offset>`. */
async function piece(uid: number, offset: number, length = PIECE): Promise<string> {
  const r = await c.imap('f', `UID FETCH ${uid} BODY.PEEK[]<${offset}.${length}>`, 30_000);
  expect(r.tagged).toMatch(/^f OK /);
  const m = /^\* \d+ FETCH \(UID \d+ BODY\[\]<\d+> \{(\d+)\}\r\n/.exec(r.untagged[0]!);
  expect(m, r.untagged[0]!.slice(0, 80)).not.toBeNull();
  return r.untagged[0]!.slice(m![0].length, m![0].length + Number(m![1]));
}

describe('a large message fetched in pieces', () => {
  for (const [uid, name] of [
    [1, 'lf'],
    [2, 'crlf'],
  ] as const) {
    it(`joins into the file in CRLF and reads the file about twice in all (${name})`, async () => {
      const file = FILES[name];
      const expected = wireOf(file);
      const before = await readSoFar(mailport.pid);
      let joined = '';
      for (let got = PIECE; got === PIECE;) {
        const next = await piece(uid, joined.length);
        got = next.length;
        joined += next;
      }
      const read = (await readSoFar(mailport.pid)) - before;
      expect(joined.length).toBe(expected.length);
      expect(joined === expected).toBe(true);
      expect(read).toBeLessThan(3 * file.length);
    });
  }

  it('reads no further than the first read for the first 100 octets', async () => {
    const before = await readSoFar(mailport.pid);
    expect(await piece(1, 0, 100)).toBe(wireOf(FILES.lf).slice(0, 100));
    expect((await readSoFar(mailport.pid)) - before).toBeLessThan(MIB / 2);
  });
});

/**
 * SEARCH evaluated in the store's worker threads answers exactly as on the event loop (issue
 * 16). The built `mailport serve` has the threads; the in-process service, run from source,
 * has none and reads every message itself (the path `dovecot-differential.test.ts` holds to
 * Dovecot). Both serve copies of one Maildir: INBOX with the differential corpus (everyday
 * mail and the hard cases: MIME, quoted-printable, base64, RFC 2047, charsets, attachments,
 * flags) and a folder of MIME-heavy and mutated messages; each program must find the same
 * UIDs on both. Then files renamed and deleted underneath a search: the same answers as
 * before the threads (renamed messages found under their new names, a deleted one NO
 * [EXPUNGEISSUED] or gone from the answer, never a crash).
 */
import { renameSync, unlinkSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { differentialCorpus } from '../../helpers/differential.js';
import { writeCorpus } from '../../helpers/corpus.js';
import { LineClient } from '../../helpers/line-client.js';
import { generateMimeCorpus, mutateCorpus } from '../../helpers/mime-corpus.js';
import { runMailport, setUpMailport, type RunningMailport } from '../../helpers/serve.js';
import { startService, type TestService } from '../../helpers/service.js';
import { ServedMaildir } from '../../helpers/served-maildir.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';
const MIME_FOLDER = 'Mime';
const MIME_MESSAGES = 200;

/** Programs that read message text, alone and mixed with keys the record answers. */
const PROGRAMS = [
  'TEXT invoice',
  'TEXT alice',
  'TEXT Москвы',
  'TEXT relay7',
  'TEXT "Content-Type"',
  'TEXT multipart',
  'TEXT Jürgen',
  'TEXT André',
  'TEXT STRASSE',
  'TEXT über',
  'TEXT 日本',
  'TEXT ""',
  'BODY lunch',
  'BODY naïve',
  'BODY NAÏVE',
  'BODY пятницу',
  'BODY 予定',
  'BODY Größe',
  'BODY "Köln = schön"',
  'BODY Grüße',
  'BODY café',
  'BODY "no header at all"',
  'BODY mail',
  'BODY ""',
  'NOT BODY mail',
  'NOT TEXT port',
  'OR BODY lunch TEXT invoice',
  'OR FLAGGED BODY lunch',
  'OR SEEN NOT TEXT mail',
  'SEEN TEXT mail',
  'UNSEEN BODY the',
  'NOT SEEN NOT BODY port',
  'FROM alice BODY lunch',
  'SUBJECT meeting TEXT the',
  'HEADER Content-Type mixed BODY mail',
  'SENTSINCE 3-Jan-2024 TEXT the',
  'SENTBEFORE 20-Nov-2023 BODY a',
  'LARGER 5000 TEXT mail',
  'SMALLER 3000 BODY x',
  'UID 100:400 BODY the',
  '50:250 NOT TEXT lunch',
  '(OR BODY über BODY café) (NOT TEXT naïve)',
];

/** Text that one line ends and the next begins with, split by a CR LF. */
const SPLIT = 'alpha\r\nomega';
const MIB = 1024 * 1024;

/**
 * Messages over 1 MiB, which the threads convert to CRLF a MiB at a time: one stored with
 * CR LF whose CR LF at the end of `alpha` falls exactly on a MiB boundary, one with bare LFs.
 */
function largeFiles(): Buffer[] {
  const header = 'Subject: large\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n';
  const filler = 'Grüße, the quarterly figures follow.\r\n';
  let text = header;
  while (Buffer.byteLength(text) < MIB - 200) text += filler;
  const pad = MIB - Buffer.byteLength(text) - Buffer.byteLength('alpha\r');
  text += `${'x'.repeat(pad - 2)}\r\nalpha\r\nomega\r\n${filler.repeat(100)}`;
  const crlf = Buffer.from(text, 'utf8');
  if (crlf.toString('latin1', MIB - 1, MIB + 1) !== '\r\n') throw new Error('misplaced');
  return [crlf, Buffer.from(text.replace(/\r\n/g, '\n').repeat(2), 'utf8')];
}

interface Servers {
  readonly work: string;
  readonly threads: RunningMailport;
  readonly dataDir: string;
  readonly eventLoop: TestService;
}

let servers: Servers;

async function login(port: number, password: string): Promise<LineClient> {
  const c = await LineClient.connect(port);
  await c.line();
  const r = await c.imap('l', `LOGIN ${USER} "${password}"`);
  if (!/^l OK/.test(r.tagged)) throw new Error(`login failed: ${r.tagged}`);
  return c;
}

/** The UIDs a program finds, sorted, or the tagged reply when it is not OK. */
async function uidSearch(c: LineClient, program: string): Promise<string> {
  const charset = /[^\x20-\x7e]/.test(program) ? 'CHARSET UTF-8 ' : '';
  const wire = program.replace(/[^\s()]*[^\x20-\x7e][^\s()]*/g, (word) => {
    return `{${Buffer.byteLength(word)}+}\r\n${word}`;
  });
  c.send(Buffer.from(`s UID SEARCH ${charset}${wire}\r\n`, 'utf8'));
  const r = await c.imapUntil('s', 60_000);
  if (!/^s OK/.test(r.tagged)) return r.tagged;
  const line = r.untagged.find((l) => l.startsWith('* SEARCH')) ?? '';
  return line
    .split(' ')
    .slice(2)
    .map(Number)
    .sort((a, b) => a - b)
    .join(' ');
}

describe('SEARCH in the worker threads', () => {
  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'mailport-scan-'));
    const reference = join(work, 'reference');
    await writeCorpus(reference, differentialCorpus());
    const mime = join(reference, `.${MIME_FOLDER}`);
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(mime, sub), { recursive: true });
    await writeFile(join(mime, 'maildirfolder'), '');
    const files = generateMimeCorpus(MIME_MESSAGES, 7);
    for (const [i, bytes] of [...files, ...mutateCorpus(files, 8), ...largeFiles()].entries()) {
      const flags = ['', 'S', 'FS', 'RS'][i % 4];
      await writeFile(join(mime, 'cur', `${1_700_000_000 + i}.M${i}P1.host:2,${flags}`), bytes);
    }
    const threadsDir = join(work, 'threads');
    await cp(reference, threadsDir, { recursive: true, preserveTimestamps: true });
    const setup = await setUpMailport(threadsDir, { user: USER, password: PASSWORD });
    const threads = await runMailport(setup);
    const eventLoop = await startService(undefined, (maildir) =>
      cp(reference, maildir, { recursive: true, preserveTimestamps: true }),
    );
    servers = { work, threads, dataDir: setup.dataDir, eventLoop };
  }, 120_000);

  afterAll(async () => {
    await servers?.threads.stop();
    await servers?.eventLoop.stop();
    if (servers) await rm(servers.work, { recursive: true, force: true });
    if (servers) await rm(servers.dataDir, { recursive: true, force: true });
  });

  it.each(['INBOX', MIME_FOLDER])(
    'finds what the event loop finds in %s',
    async (mailbox) => {
      const ours = await login(servers.threads.ports.imap, PASSWORD);
      const reference = await login(servers.eventLoop.ports.imap, servers.eventLoop.password);
      try {
        for (const c of [ours, reference])
          expect((await c.imap('x', `EXAMINE ${mailbox}`, 60_000)).tagged).toMatch(/^x OK/);
        const differences: string[] = [];
        let found = 0;
        for (const program of PROGRAMS) {
          const [a, b] = [await uidSearch(reference, program), await uidSearch(ours, program)];
          if (a !== b) differences.push(`${program}\n  event loop: ${a}\n  threads:    ${b}`);
          if (a !== '') found += 1;
        }
        // A needle with a line end in it, which straddles 1 MiB in the large files.
        for (const c of [reference, ours])
          c.send(`s UID SEARCH BODY {${SPLIT.length}+}\r\n${SPLIT}\r\n`);
        const [a, b] = [await reference.imapUntil('s', 60_000), await ours.imapUntil('s', 60_000)];
        if (a.untagged.join() !== b.untagged.join())
          differences.push(
            `BODY split line\n  event loop: ${a.untagged}\n  threads:    ${b.untagged}`,
          );
        expect(differences.join('\n')).toBe('');
        // The programs find something: a comparison of empty answers would prove nothing.
        expect(found).toBeGreaterThan(PROGRAMS.length / 2);
      } finally {
        ours.close();
        reference.close();
      }
    },
    180_000,
  );

  it.each(['INBOX', MIME_FOLDER])(
    'answers programs that mix record and text keys as the set algebra of their parts in %s',
    async (mailbox) => {
      const c = await login(servers.threads.ports.imap, PASSWORD);
      try {
        expect((await c.imap('x', `EXAMINE ${mailbox}`, 60_000)).tagged).toMatch(/^x OK/);
        const set = async (program: string) =>
          new Set((await uidSearch(c, program)).split(' ').filter(Boolean).map(Number));
        const all = await set('ALL');
        const and = (a: Set<number>, b: Set<number>) => [...a].filter((u) => b.has(u));
        const or = (a: Set<number>, b: Set<number>) => [...all].filter((u) => a.has(u) || b.has(u));
        const not = (a: Set<number>) => [...all].filter((u) => !a.has(u));
        const cases: [string, () => Promise<number[]>][] = [
          ['SEEN TEXT mail', async () => and(await set('SEEN'), await set('TEXT mail'))],
          ['OR FLAGGED BODY lunch', async () => or(await set('FLAGGED'), await set('BODY lunch'))],
          [
            'NOT OR SEEN BODY the',
            async () => not(new Set(or(await set('SEEN'), await set('BODY the')))),
          ],
          [
            'UNSEEN NOT TEXT port',
            async () => and(await set('UNSEEN'), new Set(not(await set('TEXT port')))),
          ],
          [
            'OR NOT FLAGGED TEXT invoice',
            async () => or(new Set(not(await set('FLAGGED'))), await set('TEXT invoice')),
          ],
          [
            'LARGER 3000 OR BODY a DELETED',
            async () =>
              and(await set('LARGER 3000'), new Set(or(await set('BODY a'), await set('DELETED')))),
          ],
          [
            // Different text keys left for seen and unseen messages: two groups for the threads.
            'OR (SEEN TEXT mail) (UNSEEN BODY lunch)',
            async () =>
              or(
                new Set(and(await set('SEEN'), await set('TEXT mail'))),
                new Set(and(await set('UNSEEN'), await set('BODY lunch'))),
              ),
          ],
        ];
        for (const [program, expected] of cases) {
          const found = [...(await set(program))];
          expect(found, program).toEqual((await expected()).sort((x, y) => x - y));
        }
      } finally {
        c.close();
      }
    },
    180_000,
  );
});

describe('SEARCH while files are renamed and deleted underneath', () => {
  const COUNT = 400;
  const CHANGED = 40;
  const LARGE_BYTES = 33 * 1024 * 1024;
  let served: ServedMaildir | undefined;

  afterAll(async () => {
    await served?.dispose();
  });

  it('finds renamed messages under their new names and reports deleted ones as before', async () => {
    served = await ServedMaildir.start('mailport-scan-moved-', COUNT);
    const c = await served.login();
    expect((await c.imap('s', 'SELECT INBOX', 60_000)).tagged).toMatch(/^s OK/);
    // Every message says "body"; the scan must read all of them (no cached answer).
    const cur = join(served.maildir, 'cur');
    const names = (await readdir(cur)).sort();
    expect(names).toHaveLength(COUNT);
    // One message too large for a thread to read (over 32 MiB): the event loop reads it.
    const line = 'a line of the body of a very large message\n';
    const large = `Subject: large\n\n${line.repeat(Math.ceil(LARGE_BYTES / line.length))}`;
    await writeFile(join(served.maildir, 'new', '1800000000.M1P1.host'), large);
    expect((await c.imap('n', 'NOOP', 60_000)).untagged).toContain(`* ${COUNT + 1} EXISTS`);
    const all = Array.from({ length: COUNT + 1 }, (_, i) => i + 1);
    const search = async (tag: string) => {
      const r = await c.imap(tag, 'UID SEARCH BODY body', 60_000);
      const line = r.untagged.find((l) => l.startsWith('* SEARCH')) ?? '';
      return { tagged: r.tagged, uids: line.split(' ').slice(2).map(Number) };
    };
    // Another program sets flags (renames), synchronously, so that the search starts within
    // the watcher's quiet period, while the folder still knows the old names.
    for (let i = 0; i < CHANGED; i++)
      renameSync(join(cur, names[i * 9]!), join(cur, `${names[i * 9]!}S`));
    const afterRename = await search('t');
    expect(afterRename.tagged).toMatch(/^t OK/);
    expect(afterRename.uids).toEqual(all);
    // Then deletes some: NO [EXPUNGEISSUED] (RFC 5530) or an answer without them, as before.
    const deleted = new Set<number>();
    for (let i = 0; i < CHANGED; i++) {
      unlinkSync(join(cur, names[i * 9 + 4]!));
      deleted.add(i * 9 + 5);
    }
    const kept = all.filter((uid) => !deleted.has(uid));
    const afterDelete = await search('u');
    if (!/^u NO \[EXPUNGEISSUED\]/.test(afterDelete.tagged)) {
      expect(afterDelete.tagged).toMatch(/^u OK/);
      expect(afterDelete.uids.filter((uid) => !deleted.has(uid))).toEqual(kept);
    }
    // The session goes on, and once the changes are seen the answer is exact.
    expect((await c.imap('n', 'NOOP', 60_000)).tagged).toMatch(/^n OK/);
    const again = await search('v');
    expect(again.tagged).toMatch(/^v OK/);
    expect(again.uids).toEqual(kept);
    expect(served.server.alive()).toBe(true);
  }, 120_000);
});

describe('SEARCH in the threads leaves the event loop to other sessions', () => {
  const MESSAGES = 1500;
  let work: string | undefined;
  let server: RunningMailport | undefined;
  let dataDir: string | undefined;

  afterAll(async () => {
    await server?.stop();
    if (work) await rm(work, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("answers another session's NOOP while a long TEXT search runs", async () => {
    work = await mkdtemp(join(tmpdir(), 'mailport-scan-busy-'));
    const maildir = join(work, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
    const paragraph = 'Grüße aus Köln, the minutes of the meeting are attached below.\n'.repeat(
      400,
    );
    for (let i = 0; i < MESSAGES; i++) {
      const name = `${1_700_000_000 + i}.M${i}P1.host:2,S`;
      const body = `Subject: m${i}\nContent-Type: text/plain; charset=utf-8\n\n${paragraph}`;
      await writeFile(join(maildir, 'cur', name), body);
    }
    const setup = await setUpMailport(maildir, { user: USER, password: PASSWORD });
    dataDir = setup.dataDir;
    server = await runMailport(setup);
    const searching = await login(server.ports.imap, PASSWORD);
    const other = await login(server.ports.imap, PASSWORD);
    try {
      for (const c of [searching, other])
        expect((await c.imap('x', 'EXAMINE INBOX', 60_000)).tagged).toMatch(/^x OK/);
      // Warm: the threads have started and loaded the matcher.
      expect((await searching.imap('w', 'UID SEARCH TEXT "no such words"', 60_000)).tagged).toMatch(
        /^w OK/,
      );
      const order: string[] = [];
      const search = searching
        .imap('s', 'UID SEARCH TEXT "nowhere in these messages"', 60_000)
        .then((r) => order.push(`search ${r.tagged.slice(0, 4)}`));
      await new Promise((resolve) => setTimeout(resolve, 20)); // the search has begun
      const noop = other
        .imap('n', 'NOOP', 60_000)
        .then((r) => order.push(`noop ${r.tagged.slice(0, 4)}`));
      await Promise.all([search, noop]);
      expect(order).toEqual(['noop n OK', 'search s OK']);
    } finally {
      searching.close();
      other.close();
    }
  }, 180_000);
});

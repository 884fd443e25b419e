/**
 * SEARCH TEXT/BODY with the full-text index (issue 16) on a real `mailport serve`: the same
 * searches answered with the index built and with the index turned off (`imap.fullTextIndex`)
 * over the differential corpus and hand-made messages (base64, quoted-printable, charsets,
 * RFC 2047 words, attachments, words split by punctuation, ligatures, non-ASCII, case); new
 * mail and expunges seen at once; a damaged segment file rebuilt with right answers meanwhile;
 * many small segments merged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPaths } from '../../../src-main/core/config/paths.js';
import { SettingsStore } from '../../../src-main/core/config/settings-store.js';
import { differentialCorpus } from '../../helpers/differential.js';
import { writeCorpus, type GeneratedMessage } from '../../helpers/corpus.js';
import { imapSession } from '../../helpers/differential.js';
import { fullTextIndexBuilt } from '../../helpers/fulltext.js';
import type { LineClient } from '../../helpers/line-client.js';
import {
  runMailport,
  setUpMailport,
  type MailportSetup,
  type RunningMailport,
} from '../../helpers/serve.js';

const USER = 'tester';
const PASSWORD = 'correct horse battery';

let work: string | undefined;
let setup: MailportSetup | undefined;
let server: RunningMailport | undefined;
const clients: LineClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stop();
  server = undefined;
  if (setup) await rm(setup.dataDir, { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
  setup = work = undefined;
});

const file = (name: string, text: string): GeneratedMessage => ({
  fileName: `${1_800_000_000 + crafted.length}.M${crafted.length}P7.crafted:2,S`,
  bytes: Buffer.from(text.replace(/\n/g, '\r\n'), name === 'latin1' ? 'latin1' : 'utf8'),
});
const crafted: GeneratedMessage[] = [];
const add = (name: string, text: string): void => void crafted.push(file(name, text));
add(
  'qp',
  'Subject: =?UTF-8?Q?Quarterly_reconcili=C3=A4tion?=\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nThe quarterly recon=\nciliation is due. Stra=C3=9Fe, =EF=AC=81nance.\n',
);
add(
  'base64',
  `Subject: b64\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${Buffer.from('Grüße aus Köln: quarterly-reconciliation, e.mail foo_bar 2024Q3 ΣΟΦΟΣ σοφός\n').toString('base64')}\n`,
);
add(
  'latin1',
  'Subject: latin\nContent-Type: text/plain; charset=iso-8859-1\n\nCaf\xe9 cr\xe8me br\xfbl\xe9e, RECONCILIATION report\n',
);
add(
  'attachment',
  `Subject: attached\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=xx\n\n--xx\nContent-Type: text/plain\n\nsee attachment\n--xx\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n${Buffer.from('hidden quarterly words').toString('base64')}\n--xx\nContent-Type: message/rfc822\n\nSubject: inner reconciliation header\nX-Note: e\u0301te\u0301\n\ninner body words\n--xx--\n`,
);
add('long', `Subject: long\n\n${'x'.repeat(300)}quarterly ${'ab'.repeat(100)}\n`);
add(
  'cjk',
  'Subject: =?UTF-8?B?5Lya6K2w44Gu6K2w5LqL6Yyy?=\nContent-Type: text/plain; charset=utf-8\n\n東京の会議は明日です。\n',
);
add('punct', 'Subject: punct\n\nre-conciliation; a.b.c; "quoted"; <tag>; 100% @home #1\n');

const SEARCH_STRINGS = [
  'quarterly reconciliation',
  'quarterly-reconciliation',
  'reconciliation',
  'RECONCILIATION',
  'conciliat',
  'recon ciliation',
  'reconciliä',
  'Grüße',
  'GRÜSSE',
  'strasse',
  'Straße',
  'finance',
  'ﬁn',
  'café',
  'CAFE',
  'crème',
  'ète',
  'e.mail',
  'mail',
  'foo_bar',
  '_',
  'a.b.c',
  '.b.',
  '2024q',
  'q3',
  'σοφος',
  'ΣΟΦΟΣ',
  '会議',
  '議',
  'Köln',
  'köl',
  'über',
  'naïve',
  '日本',
  'inner',
  'hidden',
  'x'.repeat(200),
  'xxxquarterly',
  'ababab',
  'example.org',
  'alice@example',
  '@',
  '-',
  ' ',
  '%',
  '"quoted"',
  'phone lunch',
  'meeting',
  'the',
  'e',
  '#1',
  'nothing-like-this',
];

/** SEARCH programs over the strings: TEXT and BODY alone, and inside AND, OR and NOT. */
function programs(): string[] {
  const out: string[] = [];
  for (const s of SEARCH_STRINGS) {
    const lit = literal(s);
    out.push(`TEXT ${lit}`, `BODY ${lit}`);
  }
  out.push(
    `TEXT ${literal('quarterly')} BODY ${literal('reconciliation')}`,
    `OR TEXT ${literal('köln')} BODY ${literal('café')}`,
    `NOT TEXT ${literal('meeting')}`,
    `SEEN TEXT ${literal('phone')}`,
    `OR SEEN BODY ${literal('lunch')}`,
    `UID 1:200 BODY ${literal('port')}`,
  );
  return out;
}

function literal(s: string): string {
  return `{${Buffer.byteLength(s)}+}\r\n${s}`;
}

async function search(c: LineClient, program: string): Promise<string> {
  const { untagged, tagged } = await c.imap('s', `UID SEARCH CHARSET UTF-8 ${program}`, 30_000);
  expect(tagged, program).toMatch(/^s OK/);
  return untagged.find((l) => l.startsWith('* SEARCH'))!;
}

async function session(): Promise<LineClient> {
  const c = await imapSession(server!.ports.imap, USER, PASSWORD);
  clients.push(c);
  expect((await c.imap('x', 'SELECT INBOX')).tagged).toMatch(/^x OK/);
  return c;
}

/** Waits for INBOX's index to catch up (`after` builds seen before); the builds so far. */
function indexBuilt(after = 0): Promise<number> {
  return fullTextIndexBuilt(setup!.dataDir, after);
}

async function setIndex(on: boolean): Promise<void> {
  const settings = await SettingsStore.open(dataPaths(setup!.dataDir).settings);
  await settings.update((s) => void (s.imap.fullTextIndex = on));
}

async function serve(messages: readonly GeneratedMessage[]): Promise<string> {
  work = await mkdtemp(join(tmpdir(), 'mailport-fts-'));
  const maildir = join(work, 'Maildir');
  await writeCorpus(maildir, messages);
  setup = await setUpMailport(maildir, { user: USER, password: PASSWORD });
  server = await runMailport(setup);
  return maildir;
}

describe('SEARCH with the full-text index', () => {
  it('answers every program as a full scan does', { timeout: 300_000 }, async () => {
    await serve([...differentialCorpus(), ...crafted]);
    await indexBuilt();
    const c = await session();
    const indexed: string[] = [];
    for (const p of programs()) indexed.push(await search(c, p));
    c.close();
    await server!.stop();
    await setIndex(false);
    server = await runMailport(setup!);
    const scan = await session();
    for (const [i, p] of programs().entries()) expect(indexed[i], p).toBe(await search(scan, p));
    // Not an empty comparison: most programs find something.
    expect(indexed.filter((line) => /^\* SEARCH \d/.test(line)).length).toBeGreaterThan(60);
  });

  it(
    'answers at once after a restart, before the index opens its segments, as with them',
    { timeout: 120_000 },
    async () => {
      await serve(crafted);
      const built = await indexBuilt();
      const c = await session();
      const indexed: string[] = [];
      for (const p of programs()) indexed.push(await search(c, p));
      c.close();
      await server!.stop();
      // Started again: the first searches may come before the index has opened its segments
      // (they then read the messages); the answers must not depend on it.
      server = await runMailport(setup!);
      const early = await session();
      for (const [i, p] of programs().entries()) expect(await search(early, p), p).toBe(indexed[i]);
      await indexBuilt(built);
      for (const [i, p] of programs().entries()) expect(await search(early, p), p).toBe(indexed[i]);
      expect(indexed.filter((line) => /^\* SEARCH \d/.test(line)).length).toBeGreaterThan(5);
    },
  );

  it('sees new mail and expunges at once', { timeout: 120_000 }, async () => {
    const maildir = await serve(crafted);
    await indexBuilt();
    const c = await session();
    const before = await search(c, `TEXT ${literal('zanzibar')}`);
    expect(before).toBe('* SEARCH');
    // A delivery the index has not read yet is found by the very next search.
    await writeFile(
      join(maildir, 'new', '1900000000.M1P1.delivered'),
      'Subject: s\r\n\r\nZanzibar trip\r\n',
    );
    expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
    const found = await search(c, `TEXT ${literal('zanzibar')}`);
    expect(found).toMatch(/^\* SEARCH \d+$/);
    const uid = found.split(' ')[2]!;
    await indexBuilt(1); // and once the index holds it, it is found through the index
    expect(await search(c, `BODY ${literal('anzib')}`)).toBe(found);
    expect((await c.imap('d', `UID STORE ${uid} +FLAGS (\\Deleted)`)).tagged).toMatch(/^d OK/);
    expect((await c.imap('e', 'EXPUNGE')).tagged).toMatch(/^e OK/);
    expect(await search(c, `TEXT ${literal('zanzibar')}`)).toBe('* SEARCH');
  });

  it(
    'drops a damaged segment file and builds it again, with right answers meanwhile',
    { timeout: 180_000 },
    async () => {
      await serve(crafted);
      await indexBuilt();
      const c = await session();
      const want = await search(c, `TEXT ${literal('reconciliation')}`);
      expect(want).toMatch(/^\* SEARCH \d+ \d+/);
      c.close();
      await server!.stop();
      const [path] = await segmentFiles();
      const good = await readFile(path!);
      for (const damaged of [
        good.subarray(0, good.length >> 1),
        Buffer.concat([good.subarray(0, 100), Buffer.from([good[100]! ^ 1]), good.subarray(101)]),
        Buffer.from('garbage'),
        Buffer.alloc(0),
      ]) {
        await writeFile(path!, damaged);
        const builds = await indexBuilt();
        server = await runMailport(setup!);
        const s = await session();
        expect(await search(s, `TEXT ${literal('reconciliation')}`)).toBe(want);
        await indexBuilt(builds); // this server's build, from nothing
        expect(await search(s, `TEXT ${literal('reconciliation')}`)).toBe(want);
        s.close();
        await server.stop();
        // The damaged file is gone; the new segment holds the same messages, byte for byte.
        const files = await segmentFiles();
        expect(files).toHaveLength(1);
        expect((await readFile(files[0]!)).equals(good)).toBe(true);
        await rm(files[0]!);
        await writeFile(path!, good);
      }
      server = undefined;
    },
  );

  it('merges many small segments into one, answers unchanged', { timeout: 180_000 }, async () => {
    const maildir = await serve(crafted);
    let builds = await indexBuilt();
    const c = await session();
    const deliveries = 10; // each becomes a segment of one message: more than 8 are merged
    for (let i = 0; i < deliveries; i++) {
      await writeFile(
        join(maildir, 'new', `19000000${10 + i}.M${i}P1.merge`),
        `Subject: delivery ${i}\r\n\r\nparcel${i}tracking arrives\r\n`,
      );
      expect((await c.imap('n', 'NOOP')).tagged).toMatch(/^n OK/);
      builds = await indexBuilt(builds);
    }
    const files = await segmentFiles();
    expect(files.length).toBeGreaterThan(0);
    expect(files.length).toBeLessThanOrEqual(8);
    for (let i = 0; i < deliveries; i++)
      expect(await search(c, `BODY ${literal(`parcel${i}tracking`)}`)).toMatch(/^\* SEARCH \d+$/);
    expect(await search(c, `TEXT ${literal('tracking arrives')}`)).toMatch(
      new RegExp(`^\\* SEARCH( \\d+){${deliveries}}$`),
    );
    expect(await search(c, `TEXT ${literal('reconciliation')}`)).toMatch(/^\* SEARCH \d+ \d+/);
  });

  it(
    'keeps its segments in the data dir and none when turned off',
    { timeout: 120_000 },
    async () => {
      await serve(crafted);
      await indexBuilt();
      expect(await segmentFiles()).toHaveLength(1);
      await server!.stop();
      await rm(join(setup!.dataDir, 'fulltext'), { recursive: true });
      await setIndex(false);
      server = await runMailport(setup!);
      const c = await session();
      expect(await search(c, `TEXT ${literal('reconciliation')}`)).toMatch(/^\* SEARCH \d+ \d+/);
      expect(await segmentFiles()).toHaveLength(0);
    },
  );
});

/** The segment files of every folder in the data dir. */
async function segmentFiles(): Promise<string[]> {
  const root = join(setup!.dataDir, 'fulltext');
  const dirs = await readdir(root).catch(() => [] as string[]);
  const files: string[] = [];
  for (const dir of dirs)
    for (const name of await readdir(join(root, dir)))
      if (name.endsWith('.seg')) files.push(join(root, dir, name));
  return files;
}

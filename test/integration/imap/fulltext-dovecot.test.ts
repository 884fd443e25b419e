/**
 * SEARCH TEXT/BODY with Mailport's full-text index built, against Dovecot (no FTS plugin) on
 * the same Maildir (`helpers/differential.ts`): the criteria of the server differential that
 * read text, answered through the index.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imapSession, serveBoth, type BothServers } from '../../helpers/differential.js';
import type { LineClient } from '../../helpers/line-client.js';

const INDEX_WAIT_MS = 120_000;
const CRITERIA = [
  'BODY lunch',
  'BODY naïve',
  'BODY пятницу',
  'BODY 予定',
  'BODY Größe',
  'BODY "Köln = schön"',
  'BODY Grüße',
  'BODY "no header at all"',
  'TEXT invoice',
  'TEXT alice',
  'TEXT Москвы',
  'TEXT relay7',
  'TEXT "lunch with"',
  'OR BODY lunch TEXT relay7',
  'TEXT alice BODY meeting',
];

let both: BothServers;
let theirs: LineClient;
let ours: LineClient;

beforeAll(async () => {
  both = await serveBoth();
  // Any build that catches up after this point covers the corpus: a delivery starts one.
  const built = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no full-text index')), INDEX_WAIT_MS);
    const stop = both.mailport.service.events.subscribe((e) => {
      if (e.type !== 'progress' || e.task !== 'search index') return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
  await both.deliver([
    {
      fileName: '1800000000.M1P1.fts',
      bytes: Buffer.from('Subject: fts\r\n\r\nlunch with alice\r\n'),
    },
  ]);
  await built;
  theirs = await imapSession(both.dovecot.imapPort, both.dovecot.user, both.dovecot.password);
  ours = await imapSession(both.mailport.ports.imap, both.mailport.user, both.mailport.password);
  for (const c of [theirs, ours])
    expect((await c.imap('s', 'SELECT INBOX')).tagged).toMatch(/^s OK/);
}, 300_000);

afterAll(async () => {
  theirs?.close();
  ours?.close();
  await both?.stop();
});

describe('SEARCH with the full-text index, against Dovecot', () => {
  it.each(CRITERIA)('UID SEARCH %s', async (criteria) => {
    // Non-ASCII words go as LITERAL+ literals (raw 8-bit in an atom is not IMAP).
    const wire = criteria.replace(
      /"([^"]*[^\x20-\x7e][^"]*)"|\S*[^\x20-\x7e]\S*/g,
      (word, quoted?: string) => {
        const text = quoted ?? word;
        return `{${Buffer.byteLength(text)}+}\r\n${text}`;
      },
    );
    const search = async (c: LineClient) => {
      const { untagged, tagged } = await c.imap('q', `UID SEARCH CHARSET UTF-8 ${wire}`, 30_000);
      expect(tagged, criteria).toMatch(/^q OK/);
      return untagged
        .find((l) => l.startsWith('* SEARCH'))!
        .split(' ')
        .slice(2)
        .map(Number)
        .sort((x, y) => x - y)
        .join(' ');
    };
    expect(await search(ours)).toBe(await search(theirs));
  });
});

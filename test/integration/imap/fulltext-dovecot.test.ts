/**
 * SEARCH TEXT/BODY with Mailport's full-text index built, against Dovecot (no FTS plugin) on
 * the same Maildir (`helpers/differential.ts`): the criteria of the server differential that
 * read text, answered through the index of a built `mailport serve`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { imapSession, serveBoth, type BothServers } from '../../helpers/differential.js';
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
let served: RunningMailport;
let setup: MailportSetup;
let theirs: LineClient;
let ours: LineClient;

/**
 * The in-process Mailport of `serveBoth` runs the source, where the index's worker thread
 * cannot start: the built `mailport serve` runs on a copy of Dovecot's Maildir instead (made
 * after Dovecot's first visit, so both have the same UIDs).
 */
beforeAll(async () => {
  both = await serveBoth();
  const maildir = join(dirname(both.reference), 'served');
  await cp(both.reference, maildir, { recursive: true, preserveTimestamps: true });
  setup = await setUpMailport(maildir, { user: USER, password: PASSWORD });
  served = await runMailport(setup);
  await fullTextIndexBuilt(setup.dataDir, 0, INDEX_WAIT_MS);
  theirs = await imapSession(both.dovecot.imapPort, both.dovecot.user, both.dovecot.password);
  ours = await imapSession(served.ports.imap, USER, PASSWORD);
  for (const c of [theirs, ours])
    expect((await c.imap('s', 'SELECT INBOX')).tagged).toMatch(/^s OK/);
}, 300_000);

afterAll(async () => {
  theirs?.close();
  ours?.close();
  await served?.stop();
  if (setup) await rm(setup.dataDir, { recursive: true, force: true });
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

/**
 * Differential test: Debian's Dovecot 2.3.19 serves a generated MIME corpus from a Maildir;
 * for every message, ENVELOPE, BODYSTRUCTURE, BODY, BODY[HEADER.FIELDS (…)], BODY[1.MIME]
 * and RFC822.SIZE as Dovecot sent them (exact bytes, over a raw socket) must equal what the
 * mime module and the IMAP formatters produce for the same file. A difference fails unless it
 * is in the allow-list below, with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMimeCorpus, mutateCorpus } from '../../helpers/mime-corpus.js';
import { hasDovecot } from '../../helpers/dovecot.js';
import { compareWithDovecot, type Compared } from './dovecot-harness.js';

const COUNT = 300;
const SEED = 20_240_101;
/** A second corpus: the same generator with random edits, for the parser's corner cases. */
const MUTATED = 300;

/**
 * Reviewed differences, keyed `<message index>:<item>`, with the reason. Keep it tiny.
 */
const ALLOWED: ReadonlyMap<string, string> = new Map([]);

describe.skipIf(!hasDovecot)('ENVELOPE and BODYSTRUCTURE match Dovecot 2.3.19', () => {
  const files = [
    ...generateMimeCorpus(COUNT, SEED),
    ...mutateCorpus(generateMimeCorpus(MUTATED, SEED + 1), SEED + 2),
  ];
  let results: Compared[] = [];

  beforeAll(async () => {
    results = await compareWithDovecot(files);
  });

  afterAll(() => {
    const items = results.reduce((n, r) => n + r.theirs.size, 0);
    console.log(`mime differential: ${results.length} messages, ${items} items compared`);
  });

  it('answers for every message', () => {
    expect(results.length).toBe(files.length);
    expect(new Set(results.map((r) => r.index)).size).toBe(files.length);
  });

  it('covers the tricky cases (so a pass means something)', () => {
    const all = results.flatMap((r) => [...r.theirs.values()]).join('\n');
    for (const needle of [
      '"message" "rfc822"',
      '"application" "octet-stream"',
      'MISSING_MAILBOX',
      'MISSING_DOMAIN',
      'INVALID_ROUTE',
      'SYNTAX_ERROR',
      '"digest"',
      '"alternative"',
      '=?UTF-8?B?',
      '"filename*"',
      '("charset" "us-ascii") NIL NIL "7bit" 0 0',
    ]) {
      expect(all, needle).toContain(needle);
    }
    expect(all).toMatch(/\{\d+\}\r\n[^"]*[\x80-\xff]/); // literals with 8-bit octets
  });

  it.each([
    'ENVELOPE',
    'BODYSTRUCTURE',
    'BODY',
    'BODY[HEADER.FIELDS',
    'BODY[1.MIME]',
    'RFC822.SIZE',
  ])('%s', (item) => {
    const differences: string[] = [];
    for (const r of results) {
      for (const [name, theirs] of r.theirs) {
        if (!name.startsWith(item) || (item === 'BODY' && name !== 'BODY')) continue;
        const ours = r.ours.get(name);
        if (ours === theirs || ALLOWED.has(`${r.index}:${name}`)) continue;
        differences.push(
          `message ${r.index} ${name}\n  dovecot: ${JSON.stringify(theirs)}\n  mailport: ${JSON.stringify(ours)}`,
        );
      }
    }
    expect(differences.slice(0, 5).join('\n')).toBe('');
  });
});

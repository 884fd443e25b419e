/**
 * Differential test: Debian's Dovecot 2.3.19 and Mailport serve copies of the same Maildir
 * (UIDs and UIDVALIDITY assigned by Dovecot first, so both number messages alike; see
 * `helpers/differential.ts`) and answer the same commands. FETCH items, SEARCH results, LIST
 * and LSUB, STATUS and EXAMINE are compared response by response; a difference fails unless
 * an entry of the reviewed allow-list (`../differential-allowlist.ts`) accepts it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMessages } from '../../helpers/corpus.js';
import { hasDovecot } from '../../helpers/dovecot.js';
import {
  FOLDERS,
  HARD,
  VARIED,
  differentialCorpus,
  imapSession,
  serveBoth,
  type BothServers,
} from '../../helpers/differential.js';
import type { LineClient } from '../../helpers/line-client.js';
import { allowed, unusedEntries } from '../differential-allowlist.js';

const COUNT = VARIED + HARD;
let both: BothServers;

/** `* n FETCH (...)` lines keyed by UID, with the sequence number dropped. */
function byUid(lines: string[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of lines) {
    const m = /^\* \d+ FETCH \(UID (\d+) (.*)\)$/s.exec(line);
    if (m) out.set(Number(m[1]), m[2]!);
  }
  return out;
}

/** Sends a command and returns its untagged lines. Non-ASCII strings (quoted or bare) go as
 * LITERAL+ literals. */
async function send(c: LineClient, command: string): Promise<string[]> {
  const wire = command.replace(
    /"([^"]*[^\x20-\x7e][^"]*)"|\S*[^\x20-\x7e]\S*/g,
    (word, quoted?: string) => {
      const text = quoted ?? word;
      return `{${Buffer.byteLength(text)}+}\r\n${text}`;
    },
  );
  c.send(Buffer.from(`q ${wire}\r\n`, 'utf8'));
  const r = await c.imapUntil('q', 60_000);
  expect(r.tagged, command).toMatch(/^q OK/);
  return r.untagged;
}

/**
 * LIST/LSUB lines in one order, each with its attributes in one order: neither order means
 * anything (RFC 3501 §7.2.2, and attributes are a set).
 */
function sortedList(lines: string[]): string {
  return lines
    .map((l) =>
      l.replace(/^(\* \w+ )\(([^)]*)\)/, (_m, verb: string, attrs: string) => {
        return `${verb}(${attrs.split(' ').filter(Boolean).sort().join(' ')})`;
      }),
    )
    .sort()
    .join('\n');
}

function report(where: string, pairs: [string, string, string][]): string {
  const differences = pairs.filter(([, a, b]) => a !== b && !allowed(where, a, b));
  return differences
    .slice(0, 6)
    .map(
      ([label, a, b]) =>
        `${label}\n  dovecot:  ${JSON.stringify(a).slice(0, 2000)}\n  mailport: ${JSON.stringify(b).slice(0, 2000)}`,
    )
    .concat(differences.length > 6 ? [`…and ${differences.length - 6} more`] : [])
    .join('\n');
}

describe('the corpus', () => {
  it('has every kind of message the comparison claims to cover', () => {
    const files = differentialCorpus().map((m) => m.bytes.toString('latin1'));
    const header = (f: string) => f.slice(0, f.search(/\r?\n\r?\n|$/));
    const count = (test: (f: string) => boolean) => files.filter(test).length;
    const kinds: Record<string, number> = {
      'LF-only': count((f) => f.includes('\n') && !f.includes('\r')),
      CRLF: count((f) => f.includes('\r\n')),
      'no final line end': count((f) => !f.endsWith('\n')),
      plain: count((f) => !/content-type: multipart/i.test(f)),
      alternative: count((f) => f.includes('multipart/alternative')),
      'mixed with attachments': count((f) => /multipart\/mixed[\s\S]*filename=/.test(f)),
      'message/rfc822': count((f) => f.includes('message/rfc822')),
      'quoted-printable': count((f) => /transfer-encoding: quoted-printable/i.test(f)),
      'malformed MIME': count((f) => /Content-Type: (garbage|multipart\/mixed\r?\n)/.test(f)),
      'missing Date': count((f) => !/^Date:/im.test(header(f))),
      'missing From': count((f) => !/^From:/im.test(header(f))),
      'header over 64 KB': count((f) => header(f).length > 65_536),
    };
    for (const charset of [
      'utf-8',
      'iso-8859-1',
      'iso-8859-2',
      'koi8-r',
      'iso-2022-jp',
      'shift_jis',
      'gb2312',
      'big5',
      'euc-kr',
      'windows-1255',
    ])
      kinds[`=?${charset}?`] = count((f) => f.toLowerCase().includes(`=?${charset}?`));
    for (const [kind, n] of Object.entries(kinds)) expect(n, kind).toBeGreaterThanOrEqual(5);
  });
});

describe.skipIf(!hasDovecot)('Mailport and Dovecot answer alike', () => {
  let theirs: LineClient;
  let ours: LineClient;

  beforeAll(async () => {
    both = await serveBoth();
    theirs = await imapSession(both.dovecot.imapPort, both.dovecot.user, both.dovecot.password);
    ours = await imapSession(both.mailport.ports.imap, both.mailport.user, both.mailport.password);
  });

  afterAll(async () => {
    theirs?.close();
    ours?.close();
    await both?.stop();
  });

  describe('mailboxes', () => {
    // Response order is not specified (RFC 3501 §7.2.2), so each answer is compared sorted.
    it.each([
      'LIST "" "*"',
      'LIST "" "%"',
      'LIST "" "%/%"',
      'LIST "" "Archive/*"',
      'LIST "" "Archive"',
      'LIST "" ""',
      'LIST "" "INBOX"',
      'LIST "" "inbox"',
      'LIST "" "Lists"',
      'LIST "" "Reisen/K&APY-ln"',
      'LIST "" "Nonexistent"',
      'LIST "Archive/" "%"',
      'LSUB "" "*"',
      'LSUB "" "%"',
      'LIST (SUBSCRIBED) "" "*"',
      'LIST (SPECIAL-USE) "" "*"',
      'LIST "" "*" RETURN (SPECIAL-USE)',
      'LIST "" "%" RETURN (CHILDREN)',
    ])('%s', async (command) => {
      const a = sortedList(await send(theirs, command));
      const b = sortedList(await send(ours, command));
      expect(report('LIST', [[command, a, b]])).toBe('');
    });

    it.each(['INBOX', ...FOLDERS.map(([name]) => name)])('STATUS %s', async (name) => {
      const command = `STATUS "${name}" (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)`;
      const a = (await send(theirs, command)).join('\n');
      const b = (await send(ours, command)).join('\n');
      expect(a).toMatch(/MESSAGES \d+/);
      expect(report('STATUS', [[command, a, b]])).toBe('');
    });

    it.each(['INBOX', 'Archive/2024', 'Reisen/K&APY-ln'])('EXAMINE %s', async (name) => {
      const a = (await send(theirs, `EXAMINE "${name}"`)).sort().join('\n');
      const b = (await send(ours, `EXAMINE "${name}"`)).sort().join('\n');
      expect(report('EXAMINE', [[name, a, b]])).toBe('');
    });
  });

  describe('INBOX', () => {
    beforeAll(async () => {
      await send(theirs, 'EXAMINE INBOX');
      await send(ours, 'EXAMINE INBOX');
    });

    it.each([
      'RFC822.SIZE',
      'INTERNALDATE',
      'FLAGS',
      'ENVELOPE',
      'BODYSTRUCTURE',
      'BODY',
      'BODY.PEEK[HEADER]',
      'RFC822.HEADER',
      'BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)]',
      'BODY.PEEK[HEADER.FIELDS (X-HUGE CONTENT-TYPE)]',
      'BODY.PEEK[HEADER.FIELDS.NOT (RECEIVED)]',
      'BODY.PEEK[1.MIME]',
      'BODY.PEEK[2.MIME]',
      'BODY.PEEK[TEXT]<0.100>',
      'BODY.PEEK[]<50.200>',
      'BODY.PEEK[1]',
      'BODY.PEEK[2]',
      'BODY.PEEK[2.1]',
      'BODY.PEEK[2.HEADER]',
      'BODY.PEEK[2.2.MIME]',
    ])('FETCH %s', async (item) => {
      const a = byUid(await send(theirs, `UID FETCH 1:* (UID ${item})`));
      const b = byUid(await send(ours, `UID FETCH 1:* (UID ${item})`));
      expect(a.size).toBe(COUNT);
      expect([...b.keys()]).toEqual([...a.keys()]);
      const pairs: [string, string, string][] = [...a].map(([uid, r]) => [
        `UID ${uid}`,
        r,
        b.get(uid) ?? '',
      ]);
      expect(report(`FETCH ${item}`, pairs)).toBe('');
    });

    it.each([
      'ALL',
      'SEEN',
      'UNSEEN',
      'FLAGGED',
      'ANSWERED',
      'DELETED',
      'UNDELETED',
      'DRAFT',
      'NEW',
      'OLD',
      'RECENT',
      'NOT SEEN',
      'OR FLAGGED ANSWERED',
      'NOT OR SEEN FLAGGED',
      'LARGER 5000',
      'LARGER 100000',
      'SMALLER 1000',
      'SUBJECT meeting',
      'SUBJECT "#12"',
      'SUBJECT café',
      'SUBJECT Москвы',
      'SUBJECT москвы',
      'SUBJECT отчёт',
      'SUBJECT 議事録',
      'SUBJECT 天気',
      'SUBJECT 会议',
      'SUBJECT gęślą',
      'SUBJECT €',
      'SUBJECT 臺北',
      'SUBJECT 회의',
      'SUBJECT ελληνικά',
      'SUBJECT שלום',
      'SUBJECT "with language"',
      'SUBJECT "inside quotes"',
      'SUBJECT part150',
      'FROM alice',
      'FROM Jürgen',
      'FROM Kożuch',
      'FROM Москвы',
      'TO me@example.com',
      'CC a@x.org',
      'CC p399',
      'BCC example',
      'HEADER Message-ID m42.1234',
      'HEADER Content-Type mixed',
      'HEADER X-Huge needle',
      'HEADER Received relay1999',
      'HEADER References r49',
      'HEADER Date ""',
      'NOT HEADER From ""',
      'NOT HEADER Subject ""',
      'BODY lunch',
      'BODY naïve',
      'BODY пятницу',
      'BODY 予定',
      'BODY 中止',
      'BODY Größe',
      'BODY "Köln = schön"',
      'BODY verschoben',
      'BODY Grüße',
      'BODY "no header at all"',
      'TEXT invoice',
      'TEXT alice',
      'TEXT Москвы',
      'TEXT relay7',
      'SENTSINCE 3-Jan-2024',
      'SENTBEFORE 20-Nov-2023',
      'SENTON 15-Nov-2023',
      'SINCE 1-Jan-2020',
      'BEFORE 16-Nov-2023',
      'ON 14-Nov-2023',
      'UID 5:20',
      '1:10',
      'NOT UID 1:*',
      'OR SUBJECT Москвы FROM alice',
    ])('SEARCH %s', async (criteria) => {
      const charset = /[^\x20-\x7e]/.test(criteria) ? 'CHARSET UTF-8 ' : '';
      const search = async (c: LineClient) =>
        (await send(c, `UID SEARCH ${charset}${criteria}`))
          .find((l) => l.startsWith('* SEARCH'))!
          .split(' ')
          .slice(2)
          .map(Number)
          .sort((x, y) => x - y)
          .join(' ');
      const [a, b] = [await search(theirs), await search(ours)];
      expect(report(`SEARCH ${criteria}`, [[criteria, a, b]])).toBe('');
    });
  });

  // Dovecot and Mailport mean the same by \Recent only for mail that arrives after a session
  // has had the mailbox open read-write (Dovecot: not yet seen by such a session; Mailport:
  // still in new/), so that is what is compared.
  describe('\\Recent after a delivery', () => {
    const arrivals = generateMessages({ count: 3, seed: 77, largeShare: 0 }).map((m, i) => ({
      fileName: `${1_800_000_000 + i}.M${i}P77.late`,
      bytes: m.bytes,
    }));
    const compare = async (a: LineClient, b: LineClient, command: string) => {
      const theirs = (await send(a, command)).sort().join('\n');
      const mine = (await send(b, command)).sort().join('\n');
      expect(report('RECENT', [[command, theirs, mine]])).toBe('');
      return theirs;
    };
    const sessions = () =>
      Promise.all([
        imapSession(both.dovecot.imapPort, both.dovecot.user, both.dovecot.password),
        imapSession(both.mailport.ports.imap, both.mailport.user, both.mailport.password),
      ]);

    beforeAll(async () => {
      await send(theirs, 'CLOSE');
      await send(ours, 'CLOSE');
      await both.deliver(arrivals);
    });

    it('marks the new messages, and only them, in EXAMINE, STATUS, FETCH and SEARCH', async () => {
      const [a, b] = await sessions();
      try {
        const status = await compare(a, b, 'STATUS INBOX (MESSAGES RECENT UIDNEXT UNSEEN)');
        expect(status).toContain(`MESSAGES ${COUNT + 3} RECENT 3 `);
        await compare(a, b, 'EXAMINE INBOX');
        await compare(a, b, `UID FETCH ${COUNT - 2}:* (UID FLAGS)`);
        for (const key of ['RECENT', 'NEW', 'OLD', 'NOT RECENT', 'RECENT SEEN'])
          await compare(a, b, `UID SEARCH ${key}`);
      } finally {
        a.close();
        b.close();
      }
    });

    it('takes \\Recent away once a session selects the mailbox read-write', async () => {
      const [a, b] = await sessions();
      expect(await compare(a, b, 'SELECT INBOX')).toContain('* 3 RECENT');
      await compare(a, b, 'LOGOUT');
      a.close();
      b.close();
      const [c, d] = await sessions();
      expect(await compare(c, d, 'EXAMINE INBOX')).toContain('* 0 RECENT');
      await compare(c, d, 'UID SEARCH RECENT');
      c.close();
      d.close();
    });
  });

  it('needed every IMAP entry of the allow-list', () => {
    expect(
      unusedEntries(
        (where) =>
          !where.startsWith('POP3') &&
          !where.startsWith('EXT ') &&
          where !== 'CONDSTORE' &&
          !where.startsWith('QRESYNC'),
      ),
    ).toEqual([]);
  });
});

/**
 * Differential tests of the sync extensions (issue 15): LIST-STATUS (RFC 5819), MOVE's
 * COPYUID (RFC 6851 §4.3), CREATE with USE (RFC 6154 §3), MULTIAPPEND (RFC 3502) and BINARY
 * (RFC 3516). Dovecot 2.3.19 and Mailport serve copies of the same Maildir (see
 * `helpers/differential.ts`) and get the same commands; their answers are compared line by
 * line, with only the reviewed differences of `../differential-allowlist.ts` accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasDovecot } from '../../helpers/dovecot.js';
import {
  HARD,
  VARIED,
  imapSession,
  serveBoth,
  type BothServers,
} from '../../helpers/differential.js';
import type { LineClient } from '../../helpers/line-client.js';
import { allowed, unusedEntries } from '../differential-allowlist.js';

const COUNT = VARIED + HARD;
let both: BothServers;

interface Answer {
  readonly untagged: string[];
  /** The tagged reply without its tag, its timing ("(0.001 + 0.000 secs)") or its text. */
  readonly status: string;
}

/** Sends a command (given with its literals already written out) and returns the answer. */
async function send(c: LineClient, command: string | Buffer): Promise<Answer> {
  c.send(Buffer.concat([Buffer.from('q '), Buffer.from(command), Buffer.from('\r\n')]));
  const r = await c.imapUntil('q', 60_000);
  const m = /^q (OK|NO|BAD)(?: (\[[^\]]*\]))?/.exec(r.tagged);
  return { untagged: r.untagged, status: m ? [m[1], m[2]].filter(Boolean).join(' ') : r.tagged };
}

function differences(where: string, pairs: [string, string, string][]): string {
  return pairs
    .filter(([, a, b]) => a !== b && !allowed(where, a, b))
    .slice(0, 6)
    .map(([label, a, b]) => `${label}\n  dovecot:  ${a}\n  mailport: ${b}`)
    .join('\n');
}

/**
 * An extended LIST answer as groups (a `* LIST` line and the lines after it that belong to
 * it), sorted by name: the order of mailboxes means nothing (RFC 3501 §7.2.2), the order
 * inside a group does (RFC 5819 §2: STATUS after the mailbox's LIST).
 */
function groups(lines: readonly string[]): { list: string; rest: string }[] {
  const out: { list: string; rest: string[] }[] = [];
  for (const line of lines) {
    if (line.startsWith('* LIST ')) out.push({ list: line, rest: [] });
    else if (out.length) out[out.length - 1]!.rest.push(line);
    else out.push({ list: '', rest: [line] });
  }
  const name = (list: string) => list.replace(/^\* LIST \([^)]*\) "\/" /, '');
  return out
    .map((g) => ({ list: g.list, rest: g.rest.join('\n') }))
    .sort((a, b) => (name(a.list) < name(b.list) ? -1 : name(a.list) > name(b.list) ? 1 : 0));
}

describe.skipIf(!hasDovecot)('sync extensions: Mailport and Dovecot answer alike', () => {
  let theirs: LineClient;
  let ours: LineClient;
  const both2 = async (command: string | Buffer): Promise<[Answer, Answer]> => [
    await send(theirs, command),
    await send(ours, command),
  ];

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

  it('advertises the extensions Dovecot advertises', async () => {
    const [, b] = await both2('CAPABILITY');
    const caps = b.untagged.join(' ').split(' ');
    for (const cap of ['LIST-STATUS', 'MOVE', 'UIDPLUS', 'SPECIAL-USE', 'MULTIAPPEND', 'BINARY'])
      expect(caps, cap).toContain(cap);
  });

  describe('LIST-STATUS (RFC 5819)', () => {
    it.each([
      'LIST "" "*" RETURN (STATUS (MESSAGES UNSEEN UIDNEXT UIDVALIDITY))',
      'LIST "" "*" RETURN (STATUS (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE))',
      'LIST "" "%" RETURN (CHILDREN STATUS (UNSEEN))',
      'LIST "" "Archive/*" RETURN (STATUS (MESSAGES) SPECIAL-USE)',
      'LIST (SUBSCRIBED) "" "*" RETURN (STATUS (MESSAGES UIDNEXT))',
      'LIST "" "Nonexistent" RETURN (STATUS (MESSAGES))',
      'LIST "" "" RETURN (STATUS (MESSAGES))',
    ])('%s', async (command) => {
      const [a, b] = await both2(command);
      expect(b.status).toBe(a.status);
      const [ga, gb] = [groups(a.untagged), groups(b.untagged)];
      expect(gb.map((g) => g.rest)).toEqual(ga.map((g) => g.rest));
      const lists = (g: { list: string }[]) => g.map((x) => x.list).join('\n');
      expect(differences('EXT LIST', [[command, lists(ga), lists(gb)]])).toBe('');
    });

    it.each([
      'LIST "" "*" RETURN (STATUS)',
      'LIST "" "*" RETURN (STATUS ())',
      'LIST "" "*" RETURN (STATUS (BOGUS))',
    ])('%s', async (command) => {
      const [a, b] = await both2(command);
      expect(b.status).toBe(a.status);
      expect(b.untagged).toEqual(a.untagged);
    });
  });

  it.each(['UNSEEN SIZE MESSAGES', 'UIDVALIDITY RECENT UIDNEXT'])(
    'STATUS INBOX (%s) answers in the order Dovecot does',
    async (items) => {
      const [a, b] = await both2(`STATUS INBOX (${items})`);
      expect(b.untagged).toEqual(a.untagged);
    },
  );

  describe('MOVE answers COPYUID (RFC 6851 §4.3)', () => {
    it.each([
      ['MOVE', 'SELECT "Archive/2024"', 'MOVE 2:4 Trash'],
      ['UID MOVE', 'SELECT "Archive/2024"', 'UID MOVE 20:25,27 "Archive/2023"'],
      ['UID MOVE of nothing', 'SELECT "Archive/2024"', 'UID MOVE 900:999 Trash'],
      ['MOVE to a missing mailbox', 'SELECT "Archive/2024"', 'MOVE 1 Nowhere'],
    ])('%s', async (_label, select, command) => {
      await both2(select);
      const [a, b] = await both2(command);
      expect(b.status).toBe(a.status);
      expect(b.untagged.join('\n')).toBe(a.untagged.join('\n'));
      const [sa, sb] = await both2('STATUS Trash (MESSAGES UIDNEXT)');
      expect(sb.untagged).toEqual(sa.untagged);
      await both2('UNSELECT');
    });
  });

  // Dovecot 2.3 takes CREATE's parameters and ignores them (special use is its configuration's),
  // so the new mailboxes are listed without the attribute asked for, on both servers.
  describe('CREATE with USE (RFC 6154 §3)', () => {
    it.each([
      'CREATE "Sent Items" (USE (\\Sent))',
      'CREATE "Flagged" (USE (\\Flagged))',
      'CREATE "Everything" (USE (\\All))',
      'CREATE "Rubbish" (USE (\\Trash \\Junk))',
      'CREATE "Odd" (USE (\\Bogus))',
      'CREATE "Empty" (USE ())',
      'CREATE "Other" (FOO (\\Sent))',
      'CREATE "Plain" ()',
      'CREATE "Atom" FOO',
      'CREATE "Two" () ()',
      'CREATE "Sent" (USE (\\Sent))',
    ])('%s', async (command) => {
      const [a, b] = await both2(command);
      expect(b.status).toBe(a.status);
      expect(b.untagged).toEqual(a.untagged);
      const name = /"([^"]+)"/.exec(command)![1]!;
      const [la, lb] = await both2(`LIST "" "${name}" RETURN (SPECIAL-USE)`);
      expect(
        differences('EXT LIST', [[command, la.untagged.join('\n'), lb.untagged.join('\n')]]),
      ).toBe('');
    });
  });

  describe('MULTIAPPEND (RFC 3502)', () => {
    const message = (n: number) =>
      `From: a@example.com\r\nSubject: batch ${n}\r\nMessage-ID: <b${n}@example.com>\r\n\r\nBody ${n}.\r\n`;
    /** APPEND with each message as a LITERAL+ literal after its options. */
    const appendCommand = (mailbox: string, parts: [string, string][]) =>
      `APPEND ${mailbox}` +
      parts
        .map(([opts, text]) => ` ${opts}${opts ? ' ' : ''}{${text.length}+}\r\n${text}`)
        .join('');
    // After a BAD in the middle of an APPEND, Dovecot reads the rest of the LITERAL+ literals
    // as commands (and answers each line BAD); Mailport skips them. Only STATUS is compared.
    const status = async () => {
      const statusLines = (x: Answer) => x.untagged.filter((l) => l.startsWith('* STATUS'));
      const [a, b] = await both2('STATUS Trash (MESSAGES UIDNEXT UNSEEN)');
      expect(statusLines(b)).toEqual(statusLines(a));
      return statusLines(b)[0];
    };

    it('stores every message, answers APPENDUID with all their UIDs', async () => {
      const before = await status();
      const command = appendCommand('Trash', [
        ['(\\Seen)', message(1)],
        ['"01-Feb-2024 10:00:00 +0100"', message(2)],
        ['(\\Flagged $Important) "02-Feb-2024 11:30:00 -0500"', message(3)],
      ]);
      const [a, b] = await both2(command);
      expect(a.status).toMatch(/^OK \[APPENDUID \d+ \d+:\d+\]$/);
      expect(b.status).toBe(a.status);
      expect(await status()).not.toBe(before);
      await both2('EXAMINE Trash');
      const fetch = 'FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])';
      const [fa, fb] = await both2(fetch);
      expect(fb.untagged).toEqual(fa.untagged);
      const [da, db] = await both2('UID FETCH 1:* INTERNALDATE');
      expect(db.untagged.slice(-2)).toEqual(da.untagged.slice(-2));
      await both2('CLOSE');
    });

    it.each([
      [
        'a bad date in the second message',
        [
          ['', message(4)],
          ['"31-Foo-2024 00:00:00 +0000"', message(5)],
        ],
      ],
      [
        'an empty second message',
        [
          ['', message(6)],
          ['', ''],
        ],
      ],
      [
        'flags after the date',
        [
          ['', message(7)],
          ['"01-Feb-2024 10:00:00 +0100" (\\Seen)', message(8)],
        ],
      ],
    ] as [string, [string, string][]][])('stores nothing when %s', async (_label, parts) => {
      const before = await status();
      const [a, b] = await both2(appendCommand('Trash', parts));
      expect(b.status).toBe(a.status);
      expect(a.status).not.toMatch(/^OK/);
      expect(await status()).toBe(before);
    });

    it('answers TRYCREATE for a missing mailbox', async () => {
      const [a, b] = await both2(
        appendCommand('Nowhere', [
          ['', message(9)],
          ['', message(10)],
        ]),
      );
      expect(b.status).toBe(a.status);
    });
  });

  // Compared message by message: Dovecot ends a FETCH at the first message it cannot decode.
  describe('BINARY (RFC 3516)', () => {
    beforeAll(async () => {
      await both2('EXAMINE INBOX');
    });
    afterAll(async () => {
      await both2('CLOSE');
    });

    it.each([
      'BINARY.PEEK[1]',
      'BINARY.PEEK[2]',
      'BINARY.PEEK[2.1]',
      'BINARY.PEEK[2.2]',
      'BINARY.PEEK[3]',
      'BINARY.PEEK[1]<0.20>',
      'BINARY.PEEK[2]<10.100>',
      'BINARY.PEEK[9]',
      'BINARY.SIZE[2]',
      'BINARY.SIZE[2.1]',
      'BINARY.PEEK[]',
      'BINARY.SIZE[]',
      'BINARY.PEEK[1] BINARY.SIZE[1]',
    ])('FETCH %s', async (item) => {
      const diffs: [string, string, string][] = [];
      for (let uid = 1; uid <= COUNT; uid++) {
        const [a, b] = await both2(`UID FETCH ${uid} (UID ${item})`);
        diffs.push([
          `UID ${uid}`,
          [...a.untagged, a.status].join('\n'),
          [...b.untagged, b.status].join('\n'),
        ]);
      }
      expect(differences(`EXT FETCH ${item}`, diffs)).toBe('');
    });

    it.each(['BINARY[1.MIME]', 'BINARY[TEXT]', 'BINARY.SIZE[1]<0.10>', 'BINARY[0]'])(
      'FETCH %s',
      async (item) => {
        const [a, b] = await both2(`UID FETCH 1 (UID ${item})`);
        expect(differences('EXT FETCH BINARY grammar', [[item, a.status, b.status]])).toBe('');
      },
    );
  });

  it('BINARY sets \\Seen and reports FLAGS, BINARY.PEEK and BINARY.SIZE do not', async () => {
    await both2('SELECT Drafts');
    for (const command of [
      'UID FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])',
      'UID FETCH 1:2 (BINARY[1])',
      'UID FETCH 1:2 (FLAGS)',
    ]) {
      const [a, b] = await both2(command);
      expect(b.status, command).toBe(a.status);
      expect(b.untagged, command).toEqual(a.untagged);
    }
    await both2('UNSELECT');
  });

  describe('APPEND with a literal8 (RFC 3516 §4.4)', () => {
    const withNul = Buffer.from('Subject: binary\r\n\r\nzero \0 byte\r\n', 'latin1');

    it('stores the message as sent, NUL included', async () => {
      const command = Buffer.concat([
        Buffer.from(`APPEND Junk (\\Seen) "03-Feb-2024 12:00:00 +0000" ~{${withNul.length}+}\r\n`),
        withNul,
      ]);
      const [a, b] = await both2(command);
      expect(a.status).toMatch(/^OK \[APPENDUID/);
      expect(b.status).toBe(a.status);
      await both2('EXAMINE Junk');
      // Not BODY[…]: there Dovecot sends the NUL as 0x80 and Mailport as it is (left for later).
      for (const item of ['BINARY.PEEK[]', 'BINARY.PEEK[1]', 'RFC822.SIZE', 'FLAGS']) {
        const [fa, fb] = await both2(`FETCH * (${item})`);
        expect(fb.untagged, item).toEqual(fa.untagged);
      }
      await both2('CLOSE');
    });

    it('is refused in commands other than APPEND', async () => {
      await both2('EXAMINE INBOX');
      const [a, b] = await both2('SEARCH TEXT ~{3+}\r\nabc');
      expect(a.status).toBe('BAD');
      expect(b.status).toBe(a.status);
      const [na, nb] = await both2('NOOP');
      expect(nb.status).toBe(na.status);
      await both2('CLOSE');
    });
  });

  it('needed every extension entry of the allow-list', () => {
    expect(unusedEntries((where) => where.startsWith('EXT '))).toEqual([]);
  });
});

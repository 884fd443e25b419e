/**
 * Differential test of SORT and THREAD (RFC 5256): Dovecot 2.3.19 and Mailport serve copies
 * of the differential corpus (see `helpers/differential.ts`) and answer the same SORT and
 * THREAD commands; the answers must be equal, order included. A folder of conversations
 * (replies with In-Reply-To and References, missing and duplicate Message-IDs, reference
 * loops, "Re:"/"Fwd:" subjects) is appended to both first, for THREAD.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasDovecot } from '../../helpers/dovecot.js';
import { imapSession, serveBoth, type BothServers } from '../../helpers/differential.js';
import type { LineClient } from '../../helpers/line-client.js';
import { startService, type TestService } from '../../helpers/service.js';

const THREADS = 'Threads';

/** Sends a command (non-ASCII text as LITERAL+ literals) and returns its untagged lines. */
async function send(c: LineClient, command: string): Promise<string[]> {
  const wire = command.replace(/"([^"]*[^\x20-\x7e][^"]*)"/g, (_w, text: string) => {
    return `{${Buffer.byteLength(text)}+}\r\n${text}`;
  });
  c.send(Buffer.from(`q ${wire}\r\n`, 'utf8'));
  const r = await c.imapUntil('q', 60_000);
  expect(r.tagged, command).toMatch(/^q OK/);
  return r.untagged;
}

/** The one `* SORT` or `* THREAD` line of the answer. */
async function answer(c: LineClient, command: string, verb: string): Promise<string> {
  const lines = (await send(c, command)).filter((l) => l.startsWith(`* ${verb}`));
  expect(lines, command).toHaveLength(1);
  return lines[0]!;
}

/** A deterministic pseudo-random sequence (a small LCG), so both servers get the same mail. */
function randomFrom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const SUBJECTS = [
  'Plans for the weekend',
  'Invoice 2024-17',
  '[mailport-dev] Release notes',
  'Ünïcödé grüße',
  '=?UTF-8?B?w5xiZXIgZGVuIFNlZQ==?=',
  'lunch?',
];
const PREFIXES = ['Re: ', 'RE: ', 'Fwd: ', 'Re: Re: ', '[list] Re: ', 'Fw: ', 'Re[2]: ', ''];

/** Conversations: each message replies to an earlier one now and then, in varied ways. */
function conversationMessages(count: number): string[] {
  const random = randomFrom(4242);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const ids: string[] = [];
  const subjects: string[] = [];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const headers = [`From: user${i % 7}@example.org`, 'To: list@example.org'];
    const parent = i > 0 && random() < 0.7 ? Math.floor(random() * i) : -1;
    const root = parent === -1 ? pick(SUBJECTS) : subjects[parent]!;
    const subject = parent === -1 ? root : `${pick(PREFIXES)}${root}`;
    subjects.push(root);
    if (random() > 0.05) headers.push(`Subject: ${subject}`);
    const day = 1 + Math.floor(random() * 27);
    if (random() > 0.08)
      headers.push(`Date: ${day} Mar 2024 ${String(i % 24).padStart(2, '0')}:00:00 +0100`);
    const id = random() < 0.06 && i > 0 ? ids[i - 1]! : `<c${i}.${Math.floor(random() * 1e6)}@ex>`;
    ids.push(id);
    if (random() > 0.07) headers.push(`Message-ID: ${id}`);
    if (parent !== -1) {
      const style = random();
      const chain: string[] = [];
      for (let p = parent, n = 0; p !== -1 && n < 4; n++, p = Math.floor(random() * p) - 1)
        chain.unshift(ids[p]!);
      if (style < 0.4) headers.push(`In-Reply-To: ${ids[parent]}`);
      else if (style < 0.8) headers.push(`References: ${chain.join(' ')}`);
      else if (style < 0.9)
        headers.push(`In-Reply-To: ${ids[parent]}`, `References: ${chain.join('\r\n ')}`);
      else headers.push(`References: <missing${i}@ex> ${ids[parent]} <c${i}.loop@ex>`);
    }
    out.push(`${headers.join('\r\n')}\r\n\r\nmessage ${i}\r\n`);
  }
  return out;
}

/** Subjects, dates and IDs at the edges of RFC 5256 §2.1-2.2 and of what parsers accept. */
const EDGE_HEADERS: readonly string[] = [
  'Subject: Re: [fwd: Re: hello]\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000',
  'Subject: [PATCH] [v2] Re: hello\r\nDate: Mon, 1 Jan 2024 09:00:00 -0800',
  'Subject: Fwd: hello (fwd)  (FWD)\r\nDate: 1 Jan 24 10:00 EST',
  'Subject: hello\r\nDate: Mon, 01 Jan 2024 10:00:00 Z',
  'Subject: \t  \r\nDate: Tue, 2 Jan 2024 10:00:00 +0100',
  'Subject: Re:\r\nDate: Tue, 2 Jan 2024 10:00:00 (no zone)',
  'Subject: []\r\nDate: Tue, 2 Jan 2024 10.00.00 +0100',
  'Subject: [fwd: ]\r\nDate: 31 Dec 1969 23:59:59 +0000',
  'Subject: [x]\r\nDate: Thu, 1 Jan 1970 00:00:00 +0000',
  'Subject: Re[3]: Fw: RE : hello\r\nDate: Wed, 3 Jan 2024 25:61:00 +0000',
  'Subject: re:re:re: hello\r\nDate: Wed, 32 Jan 2024 10:00:00 +0000',
  'Subject: =?UTF-8?Q?Re=3A_hello?=\r\nDate: Wed, 3 Jan 2024 10:00:00 PDT',
  'Subject: =?utf-8?q?=C3=A9t=C3=A9?= =?utf-8?q?_=C3=A9t=C3=A9?=\r\nDate: Thu, 4 Jan 2024 10:00:00 A',
  'Subject: Été été\r\nDate: Thu, 4 Jan 2024 10:00:00 Y',
  'Subject: ÉTÉ ÉTÉ\r\nDate: garbage',
  'Subject: \u00df and SS\r\nDate: Fri, 5 Jan 2024 10:00',
  'Subject: Ǆ dz\r\nDate: Fri, 5 Jan 2024 10:00:00 +0000 (UTC)',
  'Subject: ﬁle\r\nDate: Fri, 5 Jan 2024 10:00:00 +0000\r\nDate: Sat, 6 Jan 2024 10:00:00 +0000',
  'Subject: first\r\nSubject: second\r\nDate: Sat, 6 Jan 2024 10:00:00 +0000',
  'Subject: hello\r\n\tfolded   twice\r\nDate: Sat, 6 Jan 2024 10:00:00 +0000',
  'From: "Zed" <a@b>\r\nTo: =?UTF-8?B?w4lsaXNl?= <e@x>\r\nSubject: names',
  'From: <>\r\nTo: group: ;\r\nSubject: names',
  'From: a@b (Comment Name)\r\nTo: "" <q@x>\r\nSubject: names',
  'Message-ID: <dup@x>\r\nSubject: dup one',
  'Message-ID: <dup@x>\r\nIn-Reply-To: <dup@x>\r\nSubject: dup two',
  'Message-ID: <"quoted local"@x>\r\nSubject: odd ids',
  'Message-ID: <a (c) @ x>\r\nReferences: <"quoted local"@x> <noat> <b@x>\r\nSubject: odd ids',
  'Message-ID: <b@x>\r\nReferences: <a(c)@x>\r\nSubject: Re: odd ids',
  'Message-ID: <self@x>\r\nReferences: <self@x>\r\nSubject: self',
  'In-Reply-To: <c0.1@ex> <c1.2@ex>\r\nReferences: junk only\r\nSubject: Re: junk',
];

function edgeMessages(): string[] {
  return EDGE_HEADERS.map((h, i) => `${h}\r\nX-Edge: ${i}\r\n\r\nedge ${i}\r\n`);
}

/** Appends the conversations to a new folder, with the same INTERNALDATE on both servers. */
async function appendConversations(c: LineClient, messages: readonly string[]): Promise<void> {
  await send(c, `CREATE ${THREADS}`);
  for (const [i, m] of messages.entries()) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const date = `"${day}-Apr-2024 10:${String(i % 60).padStart(2, '0')}:00 +0000"`;
    c.send(Buffer.from(`q APPEND ${THREADS} () ${date} {${Buffer.byteLength(m)}+}\r\n${m}\r\n`));
    const r = await c.imapUntil('q', 60_000);
    expect(r.tagged).toMatch(/^q OK/);
  }
}

describe.skipIf(!hasDovecot)('SORT and THREAD answer as Dovecot does', () => {
  let both: BothServers;
  let theirs: LineClient;
  let ours: LineClient;
  const compare = async (command: string, verb: string): Promise<string> => {
    const a = await answer(theirs, command, verb);
    const b = await answer(ours, command, verb);
    expect(b, command).toBe(a);
    return a;
  };

  beforeAll(async () => {
    both = await serveBoth();
    theirs = await imapSession(both.dovecot.imapPort, both.dovecot.user, both.dovecot.password);
    ours = await imapSession(both.mailport.ports.imap, both.mailport.user, both.mailport.password);
    const messages = [...conversationMessages(120), ...edgeMessages()];
    await appendConversations(theirs, messages);
    await appendConversations(ours, messages);
  }, 120_000);

  afterAll(async () => {
    theirs?.close();
    ours?.close();
    await both?.stop();
  });

  it.each(['SORT', 'SORT=DISPLAY', 'THREAD=REFERENCES', 'THREAD=ORDEREDSUBJECT'])(
    'advertises %s as Dovecot does',
    async (extension) => {
      const caps = async (c: LineClient) => (await send(c, 'CAPABILITY')).join(' ').split(' ');
      expect(await caps(theirs)).toContain(extension);
      expect(await caps(ours)).toContain(extension);
    },
  );

  /** The tagged answer's status (OK, NO or BAD) and response code, without its text. */
  const status = async (c: LineClient, command: string): Promise<string> => {
    c.send(Buffer.from(`s ${command}\r\n`, 'utf8'));
    const r = await c.imapUntil('s', 60_000);
    return /^s (OK|NO|BAD)( \[[A-Z-]+)?/.exec(r.tagged)?.slice(1).join('') ?? r.tagged;
  };

  it('refuses SORT and THREAD alike when no mailbox is selected', async () => {
    for (const command of ['SORT (DATE) UTF-8 ALL', 'THREAD REFERENCES UTF-8 ALL'])
      expect(await status(ours, command), command).toBe(await status(theirs, command));
  });

  // Fresh sessions: both servers close a session after too many bad commands.
  describe('bad arguments', () => {
    let dovecots: LineClient;
    let mine: LineClient;
    beforeAll(async () => {
      dovecots = await imapSession(both.dovecot.imapPort, both.dovecot.user, both.dovecot.password);
      mine = await imapSession(
        both.mailport.ports.imap,
        both.mailport.user,
        both.mailport.password,
      );
      await send(dovecots, 'EXAMINE INBOX');
      await send(mine, 'EXAMINE INBOX');
    });
    afterAll(() => {
      dovecots?.close();
      mine?.close();
    });

    it.each([
      'SORT (FOO) UTF-8 ALL',
      'SORT () UTF-8 ALL',
      'SORT DATE UTF-8 ALL',
      'SORT (REVERSE) UTF-8 ALL',
      'SORT (REVERSE REVERSE DATE) UTF-8 ALL',
      'SORT (DATE "SIZE") UTF-8 ALL',
      'SORT (DATE (SIZE)) UTF-8 ALL',
      'SORT (DATE) UTF-8',
      'SORT (DATE)',
      'SORT (DATE) X-NO-SUCH-CHARSET ALL',
      'UID SORT (SIZE) UTF-8 NOSUCHKEY',
      'THREAD FOO UTF-8 ALL',
      'THREAD REFERENCES',
      'THREAD REFERENCES UTF-8',
      'THREAD ORDEREDSUBJECT X-NO-SUCH-CHARSET ALL',
      'UID THREAD (REFERENCES) UTF-8 ALL',
    ])('answers %s with the same status', async (command) => {
      expect(await status(mine, command)).toBe(await status(dovecots, command));
    });
  });

  describe.each(['INBOX', 'Archive/2024', THREADS])('in %s', (mailbox) => {
    beforeAll(async () => {
      await send(theirs, `EXAMINE "${mailbox}"`);
      await send(ours, `EXAMINE "${mailbox}"`);
    });

    it.each([
      'SORT (ARRIVAL) UTF-8 ALL',
      'SORT (DATE) UTF-8 ALL',
      'SORT (REVERSE DATE) UTF-8 ALL',
      'SORT (SIZE) UTF-8 ALL',
      'SORT (REVERSE SIZE) UTF-8 ALL',
      'SORT (SUBJECT) UTF-8 ALL',
      'SORT (REVERSE SUBJECT) UTF-8 ALL',
      'SORT (FROM) UTF-8 ALL',
      'SORT (TO) UTF-8 ALL',
      'SORT (CC) UTF-8 ALL',
      'SORT (DISPLAYFROM) UTF-8 ALL',
      'SORT (REVERSE DISPLAYTO) UTF-8 ALL',
      'SORT (DISPLAYTO DISPLAYFROM SIZE) UTF-8 ALL',
      'SORT (REVERSE REVERSE FROM SUBJECT) UTF-8 ALL',
      'SORT (FROM REVERSE FROM SIZE) UTF-8 ALL',
      'SORT (SUBJECT REVERSE DATE) US-ASCII ALL',
      'SORT (FROM SUBJECT) UTF-8 NOT DELETED',
      'SORT (REVERSE ARRIVAL) UTF-8 1:50',
      'UID SORT (SUBJECT) UTF-8 ALL',
      'UID SORT (DATE) UTF-8 SUBJECT "Re"',
      'UID SORT (SUBJECT) UTF-8 SUBJECT "café"',
    ])('%s', async (command) => {
      const verb = command.replace(/^UID /, '').split(' ')[0]!;
      const result = await compare(command, verb);
      expect(result).toMatch(/^\* SORT/);
    });

    it.each([
      'THREAD ORDEREDSUBJECT UTF-8 ALL',
      'UID THREAD ORDEREDSUBJECT UTF-8 ALL',
      'THREAD ORDEREDSUBJECT US-ASCII 1:40',
      'THREAD REFERENCES UTF-8 ALL',
      'UID THREAD REFERENCES UTF-8 ALL',
      'THREAD REFERENCES UTF-8 NOT SUBJECT "Re"',
      'UID THREAD REFERENCES UTF-8 UID 10:80',
      'THREAD REFERENCES UTF-8 SUBJECT "no such subject"',
    ])('%s', async (command) => {
      expect(await compare(command, 'THREAD')).toMatch(/^\* THREAD /);
    });
  });

  // After expunges sequence numbers and UIDs differ, and threads lose members.
  describe('after expunges', () => {
    beforeAll(async () => {
      const expunged: string[][] = [];
      for (const c of [theirs, ours]) {
        await send(c, `SELECT ${THREADS}`);
        await send(c, 'STORE 2,3,7,13,40:45,60,61,100 +FLAGS.SILENT (\\Deleted)');
        expunged.push((await send(c, 'EXPUNGE')).filter((l) => l.endsWith(' EXPUNGE')));
      }
      expect(expunged[0]!.length).toBeGreaterThanOrEqual(11);
      expect(expunged[1]).toEqual(expunged[0]);
    });

    it.each([
      'SORT (DATE) UTF-8 ALL',
      'UID SORT (REVERSE SUBJECT) UTF-8 ALL',
      'THREAD REFERENCES UTF-8 ALL',
      'UID THREAD REFERENCES UTF-8 ALL',
      'THREAD ORDEREDSUBJECT UTF-8 ALL',
      'UID THREAD ORDEREDSUBJECT UTF-8 UID 50:*',
    ])('%s', async (command) => {
      const verb = command.includes('THREAD') ? 'THREAD' : 'SORT';
      expect(await compare(command, verb)).toMatch(new RegExp(`^\\* ${verb} `));
    });
  });
});

describe('a reply chain far longer than any real one', () => {
  const LENGTH = 15_000;
  let service: TestService;
  let client: LineClient;

  beforeAll(async () => {
    service = await startService(undefined, async (maildir) => {
      for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
      for (let i = 0; i < LENGTH; i++) {
        const refs = i === 0 ? '' : `In-Reply-To: <m${i - 1}@chain>\r\n`;
        const text = `Message-ID: <m${i}@chain>\r\n${refs}Subject: chain\r\n\r\nlink ${i}\r\n`;
        await writeFile(join(maildir, 'cur', `${1_700_000_000 + i}.M${i}P1.chain:2,S`), text);
      }
    });
    client = await imapSession(service.ports.imap, service.user, service.password);
    await send(client, 'EXAMINE INBOX');
  }, 300_000);

  afterAll(async () => {
    client?.close();
    await service?.stop();
  });

  it('is threaded as one thread, and the session goes on', async () => {
    const [line] = await send(client, 'THREAD REFERENCES UTF-8 ALL');
    const numbers = Array.from({ length: LENGTH }, (_, i) => i + 1).join(' ');
    expect(line).toBe(`* THREAD (${numbers})`);
    expect(await send(client, 'THREAD ORDEREDSUBJECT UTF-8 1:3')).toEqual(['* THREAD (1 (2)(3))']);
  }, 300_000);
});

describe('a message removed underneath before SORT or THREAD reads it', () => {
  let service: TestService;
  let client: LineClient;
  const files = ['1700000001.M1P1.a:2,S', '1700000002.M2P1.b:2,S', '1700000003.M3P1.c:2,S'];

  beforeAll(async () => {
    service = await startService(undefined, async (maildir) => {
      for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
      const subjects = ['bravo', 'alpha', 'charlie'];
      for (const [i, name] of files.entries())
        await writeFile(
          join(maildir, 'cur', name),
          `Message-ID: <u${i}@x>\r\nSubject: ${subjects[i]}\r\n\r\nbody\r\n`,
        );
    });
    client = await imapSession(service.ports.imap, service.user, service.password);
  });

  afterAll(async () => {
    client?.close();
    await service?.stop();
  });

  it('is ordered as a message without header fields, and the command succeeds', async () => {
    await send(client, 'SELECT INBOX');
    await rm(join(service.maildir, 'cur', files[2]!)); // "charlie", UID 3, not yet read
    expect(await send(client, 'SORT (SUBJECT) UTF-8 ALL')).toEqual(['* SORT 3 2 1']);
    // Known vanished now (the view synced after SORT): left out, as SEARCH leaves it out.
    expect(await send(client, 'THREAD ORDEREDSUBJECT UTF-8 ALL')).toEqual(['* THREAD (1)(2)']);
    expect(await send(client, 'NOOP')).toEqual(['* 3 EXPUNGE']);
  });
});

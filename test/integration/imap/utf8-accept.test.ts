/**
 * UTF8=ACCEPT (RFC 6855) against a real Mailport over a socket. Dovecot 2.3.19, the reference,
 * does not offer it (its ENABLE UTF8=ACCEPT enables nothing), so these follow the RFC: after
 * ENABLE the session reads and writes mailbox names as UTF-8 (§3), takes APPEND's
 * `UTF8 (literal8)` (§4) and refuses a SEARCH charset (§3, erratum 4029); a session that did not
 * enable it sees modified UTF-7 and the old grammar, as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineClient } from '../../helpers/line-client.js';
import { imapSession } from '../../helpers/differential.js';
import { startService, type TestService } from '../../helpers/service.js';

let mailport: TestService;

/** The server's bytes (the client reads latin1) as UTF-8 text. */
const utf8 = (wire: string): string => Buffer.from(wire, 'latin1').toString('utf8');

async function session(enable: boolean): Promise<LineClient> {
  const c = await imapSession(mailport.ports.imap, mailport.user, mailport.password);
  if (enable) {
    const r = await c.imap('e', 'ENABLE UTF8=ACCEPT');
    expect(r.untagged).toEqual(['* ENABLED UTF8=ACCEPT']);
    expect(r.tagged).toMatch(/^e OK/);
  }
  return c;
}

/** Untagged lines (as UTF-8) and the tagged status word. */
async function answer(c: LineClient, command: string | Buffer): Promise<string[]> {
  c.send(Buffer.concat([Buffer.from('t '), Buffer.from(command), Buffer.from('\r\n')]));
  const r = await c.imapUntil('t');
  return [...r.untagged.map(utf8), /^t (OK|NO|BAD)/.exec(r.tagged)?.[1] ?? r.tagged];
}

const MESSAGE = Buffer.from(
  [
    'From: Jörg Müller <joerg@example.com>',
    'To: anna@example.com',
    'Subject: Grüße aus Köln',
    'Date: Thu, 03 Dec 2026 08:00:00 +0000',
    'Message-ID: <utf8-accept-1@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Schöne Grüße.',
    '',
  ].join('\r\n'),
);

async function folders(): Promise<string[]> {
  return (await readdir(mailport.maildir)).filter((f) => f.startsWith('.')).sort();
}

/** The paths of a folder's message files, in new/ and cur/. */
async function messageFiles(folder: string): Promise<string[]> {
  const out: string[] = [];
  for (const dir of ['new', 'cur']) {
    const path = join(mailport.maildir, folder, dir);
    out.push(...(await readdir(path)).map((f) => join(path, f)));
  }
  return out;
}

describe('UTF8=ACCEPT (RFC 6855)', () => {
  beforeAll(async () => {
    mailport = await startService();
  });
  afterAll(() => mailport?.stop());

  it('is advertised and enabled per session, listed again when already on', async () => {
    const c = await session(false);
    const caps = await answer(c, 'CAPABILITY');
    expect(caps[0]!.split(' ')).toContain('UTF8=ACCEPT');
    expect(await answer(c, 'ENABLE UTF8=ACCEPT CONDSTORE')).toEqual([
      '* ENABLED UTF8=ACCEPT CONDSTORE',
      'OK',
    ]);
    expect(await answer(c, 'ENABLE utf8=accept')).toEqual(['* ENABLED UTF8=ACCEPT', 'OK']);
    c.close();
  });

  it('creates, lists, selects and reports mailboxes by their UTF-8 names', async () => {
    const c = await session(true);
    expect(await answer(c, 'CREATE "Büro"')).toEqual(['OK']);
    expect(await answer(c, 'CREATE "Büro/Grüße"')).toEqual(['OK']);
    // The Maildir keeps Dovecot's layout: folder names in modified UTF-7 on disk.
    expect(await folders()).toEqual(expect.arrayContaining(['.B&APw-ro', '.B&APw-ro.Gr&APwA3w-e']));
    expect(await answer(c, 'LIST "" "Bü*"')).toEqual([
      '* LIST (\\HasChildren) "/" "Büro"',
      '* LIST (\\HasNoChildren) "/" "Büro/Grüße"',
      'OK',
    ]);
    expect(await answer(c, 'LIST "Büro/" "%" RETURN (STATUS (MESSAGES))')).toEqual([
      '* LIST (\\HasNoChildren) "/" "Büro/Grüße"',
      '* STATUS "Büro/Grüße" (MESSAGES 0)',
      'OK',
    ]);
    expect(await answer(c, 'STATUS "Büro/Grüße" (MESSAGES UIDNEXT)')).toEqual([
      '* STATUS "Büro/Grüße" (MESSAGES 0 UIDNEXT 1)',
      'OK',
    ]);
    const selected = await answer(c, 'SELECT "Büro/Grüße"');
    expect(selected.at(-1)).toBe('OK');
    expect(await answer(c, 'SUBSCRIBE "Büro/Grüße"')).toEqual(['OK']);
    expect(await answer(c, 'LSUB "" "Büro/*"')).toEqual(['* LSUB () "/" "Büro/Grüße"', 'OK']);
    expect(await answer(c, 'UNSELECT')).toEqual(['OK']);
    expect(await answer(c, 'RENAME "Büro/Grüße" "Büro/Café"')).toEqual(['OK']);
    expect(await folders()).toContain('.B&APw-ro.Caf&AOk-');
    c.close();
  });

  it('reads "&" as itself, where a rev1 session writes "&-"', async () => {
    const c = await session(true);
    expect(await answer(c, 'CREATE "Tom & Jerry"')).toEqual(['OK']);
    expect(await folders()).toContain('.Tom &- Jerry');
    expect(await answer(c, 'LIST "" "Tom*"')).toEqual([
      '* LIST (\\HasNoChildren) "/" "Tom & Jerry"',
      'OK',
    ]);
    const old = await session(false);
    expect(await answer(old, 'LIST "" "Tom*"')).toEqual([
      '* LIST (\\HasNoChildren) "/" "Tom &- Jerry"',
      'OK',
    ]);
    expect(await answer(old, 'LIST "" "B*"')).toContain('* LIST (\\HasChildren) "/" B&APw-ro');
    old.close();
    c.close();
  });

  it('refuses names that are not UTF-8 or hold control characters, and goes on', async () => {
    const c = await session(true);
    const latin1 = Buffer.concat([
      Buffer.from('CREATE "B'),
      Buffer.from([0xfc]),
      Buffer.from('ro"'),
    ]);
    expect(await answer(c, latin1)).toEqual(['BAD']);
    expect(await answer(c, 'CREATE "a\u0085b"')).toEqual(['BAD']);
    expect(await answer(c, 'CREATE "a\u2028b"')).toEqual(['BAD']);
    expect(await answer(c, 'NOOP')).toEqual(['OK']);
    c.close();
  });

  it('appends UTF8 (~{n}) literal8 and serves the raw UTF-8 header as stored', async () => {
    const c = await session(true);
    expect(await answer(c, 'CREATE "Küche"')).toEqual(['OK']);
    c.send(`t APPEND "Küche" (\\Seen) UTF8 (~{${MESSAGE.length}}\r\n`);
    expect(await c.line()).toMatch(/^\+/);
    c.send(Buffer.concat([MESSAGE, Buffer.from(')\r\n')]));
    expect((await c.imapUntil('t')).tagged).toMatch(/^t OK \[APPENDUID \d+ 1\]/);
    const files = await messageFiles('.K&APw-che');
    expect(files).toHaveLength(1);
    const stored = await readFile(files[0]!);
    expect(stored.equals(MESSAGE)).toBe(true);

    expect((await answer(c, 'SELECT "Küche"')).at(-1)).toBe('OK');
    const fetched = await answer(c, 'FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]');
    expect(fetched[0]).toContain('Subject: Grüße aus Köln');
    expect(await answer(c, 'SEARCH SUBJECT "Grüße"')).toEqual(['* SEARCH 1', 'OK']);
    c.close();
  });

  it('refuses a SEARCH charset and a SORT/THREAD charset other than UTF-8 once on', async () => {
    const c = await session(true);
    expect((await answer(c, 'SELECT INBOX')).at(-1)).toBe('OK');
    expect(await answer(c, 'SEARCH CHARSET UTF-8 ALL')).toEqual(['BAD']);
    expect(await answer(c, 'UID SEARCH RETURN (COUNT) CHARSET US-ASCII ALL')).toEqual(['BAD']);
    expect(await answer(c, 'SORT (DATE) US-ASCII ALL')).toEqual(['BAD']);
    expect(await answer(c, 'THREAD REFERENCES ISO-8859-1 ALL')).toEqual(['BAD']);
    expect(await answer(c, 'SORT (DATE) utf-8 ALL')).toEqual(['* SORT', 'OK']);
    expect(await answer(c, 'SEARCH ALL')).toEqual(['* SEARCH', 'OK']);
    c.close();
  });

  it('changes nothing for a session that did not enable it', async () => {
    const c = await session(false);
    expect(await answer(c, 'CREATE "Übersee"')).toEqual(['BAD']);
    expect(await answer(c, 'CREATE &ANw-bersee')).toEqual(['OK']);
    expect(await answer(c, 'STATUS &ANw-bersee (MESSAGES)')).toEqual([
      '* STATUS &ANw-bersee (MESSAGES 0)',
      'OK',
    ]);
    c.send(`t APPEND &ANw-bersee UTF8 (~{${MESSAGE.length}}\r\n`);
    const reply = await c.line();
    if (reply.startsWith('+')) {
      c.send(Buffer.concat([MESSAGE, Buffer.from(')\r\n')]));
      expect((await c.imapUntil('t')).tagged).toMatch(/^t BAD/);
    } else expect(reply).toMatch(/^t BAD/);
    expect(await messageFiles('.&ANw-bersee')).toEqual([]);
    expect((await answer(c, 'SELECT INBOX')).at(-1)).toBe('OK');
    expect(await answer(c, 'SEARCH CHARSET UTF-8 ALL')).toEqual(['* SEARCH', 'OK']);
    c.close();
  });
});

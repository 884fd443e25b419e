/**
 * IMAP4rev2 (RFC 9051) beside IMAP4rev1, against a real Mailport over a socket. Dovecot 2.3.19,
 * the reference, offers no IMAP4rev2 (its ENABLE IMAP4rev2 enables nothing), so these follow
 * the RFC: after ENABLE IMAP4rev2 a session has no \Recent or RECENT, SELECT names the mailbox
 * in a LIST response instead of `OK [UNSEEN n]` (§6.3.2), SEARCH answers ESEARCH (§6.4.4),
 * STATUS knows DELETED (§6.3.11) and mailbox names are UTF-8 (§5.1). A session that does not
 * enable it, beside it on the same mailbox, keeps every IMAP4rev1 answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { ImapFlow } from 'imapflow';
import type { LineClient } from '../../helpers/line-client.js';
import { imapSession } from '../../helpers/differential.js';
import { startService, type TestService } from '../../helpers/service.js';

let mailport: TestService;

const utf8 = (wire: string): string => Buffer.from(wire, 'latin1').toString('utf8');

async function session(rev2: boolean): Promise<LineClient> {
  const c = await imapSession(mailport.ports.imap, mailport.user, mailport.password);
  if (rev2) expect(await answer(c, 'ENABLE IMAP4rev2')).toEqual(['* ENABLED IMAP4REV2', 'OK']);
  return c;
}

/** Untagged lines (as UTF-8) and the tagged status word. */
async function answer(c: LineClient, command: string): Promise<string[]> {
  const r = await c.imap('t', command);
  return [...r.untagged.map(utf8), /^t (OK|NO|BAD)/.exec(r.tagged)?.[1] ?? r.tagged];
}

const message = (n: number): Buffer =>
  Buffer.from(`From: a@example.com\r\nSubject: rev2 note ${n}\r\n\r\nBody ${n}\r\n`);

/** A new mailbox holding `count` messages that no session has seen (all \Recent). */
async function mailboxWith(name: string, count: number): Promise<void> {
  await mailport.store.createMailbox(name);
  for (let n = 1; n <= count; n++) await mailport.store.deliver(name, message(n));
}

describe('IMAP4rev2 (RFC 9051)', () => {
  beforeAll(async () => {
    mailport = await startService();
  });
  afterAll(() => mailport?.stop());

  it('is advertised beside IMAP4rev1 and enabled per session', async () => {
    const c = await session(false);
    const caps = (await answer(c, 'CAPABILITY'))[0]!.split(' ');
    expect(caps.slice(0, 3)).toEqual(['*', 'CAPABILITY', 'IMAP4rev1']);
    expect(caps).toContain('IMAP4rev2');
    expect(await answer(c, 'ENABLE imap4rev2 CONDSTORE')).toEqual([
      '* ENABLED IMAP4REV2 CONDSTORE',
      'OK',
    ]);
    c.close();
  });

  it('selects with a LIST response and no RECENT, UNSEEN or \\Recent', async () => {
    await mailboxWith('Fresh', 2);
    const c = await session(true);
    const selected = await answer(c, 'SELECT Fresh');
    expect(selected.filter((l) => / RECENT$|\[UNSEEN /.test(l))).toEqual([]);
    expect(selected).toContain('* 2 EXISTS');
    expect(selected).toContain('* LIST (\\HasNoChildren) "/" Fresh');
    expect(await answer(c, 'FETCH 1:* FLAGS')).toEqual([
      '* 1 FETCH (FLAGS ())',
      '* 2 FETCH (FLAGS ())',
      'OK',
    ]);
    await mailport.store.deliver('Fresh', message(3));
    expect(await answer(c, 'NOOP')).toEqual(['* 3 EXISTS', 'OK']);
    expect(await answer(c, 'FETCH 3 FLAGS')).toEqual(['* 3 FETCH (FLAGS ())', 'OK']);
    c.close();
  });

  it('leaves an IMAP4rev1 session its RECENT, UNSEEN and \\Recent', async () => {
    await mailboxWith('Fresh1', 2);
    const c = await session(false);
    const selected = await answer(c, 'SELECT Fresh1');
    expect(selected).toContain('* 2 RECENT');
    expect(selected.some((l) => l.startsWith('* OK [UNSEEN 1]'))).toBe(true);
    expect(selected.some((l) => l.startsWith('* LIST'))).toBe(false);
    expect(await answer(c, 'FETCH 1 FLAGS')).toEqual(['* 1 FETCH (FLAGS (\\Recent))', 'OK']);
    await mailport.store.deliver('Fresh1', message(3));
    expect(await answer(c, 'NOOP')).toEqual(['* 3 EXISTS', '* 3 RECENT', 'OK']);
    expect(await answer(c, 'SEARCH ALL')).toEqual(['* SEARCH 1 2 3', 'OK']);
    c.close();
  });

  it('answers SEARCH and UID SEARCH with ESEARCH', async () => {
    await mailboxWith('Found', 3);
    const c = await session(true);
    expect((await answer(c, 'SELECT Found')).at(-1)).toBe('OK');
    expect(await answer(c, 'STORE 2 +FLAGS.SILENT (\\Seen)')).toEqual(['OK']);
    expect(await answer(c, 'SEARCH ALL')).toEqual(['* ESEARCH (TAG "t") ALL 1:3', 'OK']);
    expect(await answer(c, 'UID SEARCH UNSEEN')).toEqual(['* ESEARCH (TAG "t") UID ALL 1,3', 'OK']);
    expect(await answer(c, 'SEARCH SUBJECT "no such note"')).toEqual(['* ESEARCH (TAG "t")', 'OK']);
    expect(await answer(c, 'SEARCH RETURN (COUNT) ALL')).toEqual([
      '* ESEARCH (TAG "t") COUNT 3',
      'OK',
    ]);
    // IMAP4rev2 keeps SEARCH's CHARSET (only UTF8=ACCEPT forbids it).
    expect(await answer(c, 'SEARCH CHARSET UTF-8 SUBJECT "note 2"')).toEqual([
      '* ESEARCH (TAG "t") ALL 2',
      'OK',
    ]);
    c.close();
  });

  it('reports STATUS DELETED, and RECENT only to IMAP4rev1 sessions', async () => {
    await mailboxWith('Tidy', 3);
    const c = await session(true);
    expect((await answer(c, 'SELECT Tidy')).at(-1)).toBe('OK');
    expect(await answer(c, 'STORE 1,3 +FLAGS.SILENT (\\Deleted)')).toEqual(['OK']);
    expect(await answer(c, 'STATUS Tidy (MESSAGES DELETED)')).toEqual([
      '* STATUS Tidy (MESSAGES 3 DELETED 2)',
      'OK',
    ]);
    expect(await answer(c, 'LIST "" Tidy RETURN (STATUS (DELETED))')).toEqual([
      '* LIST (\\HasNoChildren) "/" Tidy',
      '* STATUS Tidy (DELETED 2)',
      'OK',
    ]);
    expect(await answer(c, 'STATUS Tidy (RECENT)')).toEqual(['BAD']);
    const old = await session(false);
    expect(await answer(old, 'STATUS Tidy (DELETED)')).toEqual(['BAD']);
    expect(await answer(old, 'STATUS Tidy (MESSAGES RECENT)')).toEqual([
      '* STATUS Tidy (MESSAGES 3 RECENT 0)',
      'OK',
    ]);
    old.close();
    c.close();
  });

  it('serves imapflow, which enables IMAP4rev2 and UTF8=ACCEPT when both are offered', async () => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: mailport.ports.imap,
      secure: false,
      doSTARTTLS: false,
      auth: { user: mailport.user, pass: mailport.password },
      logger: false,
    });
    await client.connect();
    try {
      expect([...client.enabled]).toEqual(
        expect.arrayContaining(['IMAP4REV2', 'UTF8=ACCEPT', 'CONDSTORE']),
      );
      await client.mailboxCreate('Reise nach Köln & Bonn');
      expect(await readdir(mailport.maildir)).toContain('.Reise nach K&APY-ln &- Bonn');
      const listed = (await client.list()).map((m) => m.path);
      expect(listed).toContain('Reise nach Köln & Bonn');
      const subject = 'Grüße aus Köln';
      await client.append('Reise nach Köln & Bonn', `Subject: ${subject}\r\n\r\nHallo\r\n`);
      const lock = await client.getMailboxLock('Reise nach Köln & Bonn');
      try {
        expect(await client.search({ subject: 'Grüße' }, { uid: true })).toEqual([1]);
        const message = await client.fetchOne('1', { envelope: true, flags: true });
        expect(message && message.envelope?.subject).toBe(subject);
        expect(message && [...(message.flags ?? [])]).toEqual([]);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  it('names mailboxes in UTF-8', async () => {
    const c = await session(true);
    expect(await answer(c, 'CREATE "Grüße & Co"')).toEqual(['OK']);
    expect(await answer(c, 'LIST "" "Grü*"')).toEqual([
      '* LIST (\\HasNoChildren) "/" "Grüße & Co"',
      'OK',
    ]);
    const selected = await answer(c, 'EXAMINE "Grüße & Co"');
    expect(selected).toContain('* LIST (\\HasNoChildren) "/" "Grüße & Co"');
    // The attributes are those a basic LIST gives: special use and children too.
    expect(await answer(c, 'CREATE "Sent/2026"')).toEqual(['OK']);
    expect(await answer(c, 'EXAMINE Sent')).toContain('* LIST (\\HasChildren \\Sent) "/" Sent');
    const old = await session(false);
    expect(await answer(old, 'LIST "" "Gr*"')).toEqual([
      '* LIST (\\HasNoChildren) "/" "Gr&APwA3w-e &- Co"',
      'OK',
    ]);
    old.close();
    c.close();
  });
});

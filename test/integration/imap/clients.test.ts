/**
 * Real IMAP clients against a running service: imapflow (the library many Node mail apps use)
 * and Python's imaplib, through every command a phone uses, checked against the Maildir.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ImapFlow } from 'imapflow';
import { run } from '../../helpers/run.js';
import { startService, type TestService } from '../../helpers/service.js';

let t: TestService;
beforeEach(async () => {
  t = await startService();
});
afterEach(async () => {
  await t.stop();
});

function client(): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: t.ports.imap,
    secure: false,
    doSTARTTLS: false,
    auth: { user: t.user, pass: t.password },
    logger: false,
  });
}

describe('imapflow', () => {
  it('lists, reads, flags, appends, copies, moves, searches and deletes', async () => {
    await t.store.deliver(
      'INBOX',
      Buffer.from(
        'From: Alice <alice@example.org>\nTo: me@example.com\nSubject: First\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nMessage-ID: <1@example.org>\n\nHello\n',
      ),
    );
    await t.store.deliver(
      'INBOX',
      Buffer.from(
        'From: bob@example.net\nSubject: Second\nDate: Tue, 2 Jan 2024 10:00:00 +0000\n\nWorld\n',
      ),
    );
    const c = client();
    await c.connect();
    const list = await c.list();
    expect(list.map((m) => [m.path, m.specialUse ?? null])).toEqual(
      expect.arrayContaining([
        ['INBOX', '\\Inbox'],
        ['Sent', '\\Sent'],
        ['Drafts', '\\Drafts'],
        ['Trash', '\\Trash'],
        ['Junk', '\\Junk'],
        ['Archive', '\\Archive'],
      ]),
    );
    const status = await c.status('INBOX', { messages: true, unseen: true, uidNext: true });
    expect(status).toMatchObject({ messages: 2, unseen: 2, uidNext: 3 });

    const lock = await c.getMailboxLock('INBOX');
    try {
      const fetched = [];
      for await (const m of c.fetch('1:*', {
        uid: true,
        envelope: true,
        flags: true,
        size: true,
        source: true,
      }))
        fetched.push(m);
      expect(fetched.map((m) => m.envelope?.subject)).toEqual(['First', 'Second']);
      expect(fetched[0]!.envelope?.from?.[0]).toMatchObject({
        name: 'Alice',
        address: 'alice@example.org',
      });
      expect(fetched[0]!.envelope?.messageId).toBe('<1@example.org>');
      expect(fetched[0]!.source!.toString()).toContain('Subject: First\r\n');
      expect(fetched[0]!.size).toBe(fetched[0]!.source!.length);

      await c.messageFlagsAdd({ uid: '1' }, ['\\Seen', '\\Flagged'], { uid: true });
      expect(await c.search({ seen: true }, { uid: true })).toEqual([1]);
      expect(await c.search({ from: 'bob' }, { uid: true })).toEqual([2]);
      expect(await c.search({ subject: 'first' }, { uid: true })).toEqual([1]);
      expect(await c.search({ body: 'world' }, { uid: true })).toEqual([2]);
      expect(await c.search({ before: new Date('2024-01-02') }, { uid: true })).toEqual([]); // delivered today
      expect(await c.search({ sentSince: new Date('2024-01-02') }, { uid: true })).toEqual([2]);

      const appended = await c.append('INBOX', Buffer.from('Subject: Third\r\n\r\nappended\r\n'), [
        '\\Draft',
      ]);
      expect(appended).toMatchObject({ uid: 3 });
      const copied = await c.messageCopy('1', 'Archive', { uid: true });
      expect(copied).toMatchObject({ destination: 'Archive', uidMap: new Map([[1, 1]]) });
      const moved = await c.messageMove('2', 'Trash', { uid: true });
      expect(moved).toMatchObject({ destination: 'Trash' });
      await c.messageDelete('3', { uid: true });
      expect(await c.search({ all: true }, { uid: true })).toEqual([1]);
    } finally {
      lock.release();
    }
    await c.logout();
    const count = async (folder: string) =>
      (await readdir(join(t.maildir, folder, 'cur'))).length +
      (await readdir(join(t.maildir, folder, 'new'))).length;
    expect([await count(''), await count('.Archive'), await count('.Trash')]).toEqual([1, 1, 1]);
    const [inbox] = await readdir(join(t.maildir, 'cur'));
    expect(inbox).toMatch(/:2,FS$/);
  });

  it('hears about a delivery while idling', async () => {
    const c = client();
    await c.connect();
    await c.mailboxOpen('INBOX');
    const exists = new Promise<number>((resolve) =>
      c.on('exists', (data: { count: number }) => resolve(data.count)),
    );
    const idling = c.idle();
    await new Promise((r) => setTimeout(r, 100));
    await t.store.deliver('INBOX', Buffer.from('Subject: pushed\n\nx\n'));
    expect(await exists).toBe(1);
    await c.logout();
    await idling.catch(() => undefined);
  });
});

describe("Python's imaplib", () => {
  it('runs every RFC 3501 command it has', async () => {
    const script = resolve(import.meta.dirname, '../../fixtures/imap_session.py');
    const result = await run('python3', [
      script,
      '127.0.0.1',
      String(t.ports.imap),
      t.user,
      t.password,
    ]);
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(out.capability).toEqual(expect.arrayContaining(['IMAP4REV1', 'IDLE', 'UIDPLUS']));
    for (const key of [
      'login',
      'noop',
      'create',
      'rename',
      'subscribe',
      'append',
      'copy',
      'uid_store',
      'check',
      'close',
      'delete_child',
      'unsubscribe',
    ]) {
      expect(out[key], key).toBe('OK');
    }
    expect(out.logout).toBe('BYE');
    expect(out.list).toEqual(
      expect.arrayContaining(['(\\HasNoChildren) "/" INBOX', '(\\HasNoChildren \\Sent) "/" Sent']),
    );
    expect(out.lsub).toEqual(['() "/" Py/Renamed']);
    expect(out.select).toEqual(['OK', '1']);
    expect(out.search_subject).toBe('1');
    expect(out.search_flagged).toBe('1');
    expect(out.search_body).toBe('1');
    expect(out.fetch_body).toBe(
      'From: Py <py@example.org>\r\nSubject: =?UTF-8?B?w5xiZXI=?= imaplib\r\n\r\nHello from Python.\r\n',
    );
    expect(out.fetch_meta).toMatch(/^1 \(FLAGS \(\\Flagged\) RFC822\.SIZE 88 BODY\[\] \{88\}$/);
    expect(out.store).toEqual(['1 (FLAGS (\\Flagged \\Seen))']);
    expect(out.status).toBe('Py/Renamed (MESSAGES 1 UNSEEN 0)');
    expect(out.expunge).toEqual(['1']);
    expect(await readFile(join(t.maildir, 'subscriptions'), 'utf8')).toBe('');
  });
});

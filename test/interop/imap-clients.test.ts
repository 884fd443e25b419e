/**
 * Real IMAP clients against a live `mailport serve` over TLS, each verifying the server's
 * certificate against the local CA in the data dir: imapflow (the library many Node mail apps
 * use; 2.10.2) and Python's imaplib (3.11), over implicit TLS and over STARTTLS, through
 * every command a phone uses, checked against the Maildir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { MaildirStore } from '../../src-main/core/store/maildir/maildir-store.js';
import { run } from '../helpers/run.js';
import { serveSecurely, type MailAccount, type SecureMailport } from '../helpers/secure-serve.js';

const IMAP_SESSION = resolve(import.meta.dirname, '../fixtures/imap_session.py');
let work: string;
let mp: SecureMailport;
let ca: string;

const account = (user: string): MailAccount => ({
  user,
  password: `pw of ${user}`,
  maildir: join(work, user),
});

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mailport-imap-clients-'));
  mp = await serveSecurely(
    ['flow', 'idler', 'starttls', 'python', 'pystarttls'].map((name) => account(name)),
  );
  ca = await readFile(mp.caFile, 'utf8');
});

afterAll(async () => {
  await mp?.stop();
  await rm(work, { recursive: true, force: true });
});

function client(user: string, options: Partial<ImapFlowOptions> = {}): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: mp.ports.imaps,
    secure: true,
    tls: { ca: [ca] },
    auth: { user, pass: `pw of ${user}` },
    logger: false,
    ...options,
  });
}

const deliver = (user: string, text: string) =>
  new MaildirStore(join(work, user)).deliver('INBOX', Buffer.from(text));

describe('imapflow over implicit TLS', () => {
  it('refuses the server without the local CA', async () => {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: mp.ports.imaps,
      secure: true,
      auth: { user: 'flow', pass: 'pw of flow' },
      logger: false,
    });
    await expect(c.connect()).rejects.toThrow(/self.signed|unable to get local issuer/i);
  });

  it('lists, reads, flags, appends, copies, moves, searches and deletes', async () => {
    await deliver(
      'flow',
      'From: Alice <alice@example.org>\nTo: me@example.com\nSubject: First\nDate: Mon, 1 Jan 2024 10:00:00 +0000\nMessage-ID: <1@example.org>\n\nHello\n',
    );
    await deliver(
      'flow',
      'From: bob@example.net\nSubject: Second\nDate: Tue, 2 Jan 2024 10:00:00 +0000\n\nWorld\n',
    );
    const c = client('flow');
    await c.connect();
    expect(c.secureConnection).toBe(true);
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
    const maildir = join(work, 'flow');
    const count = async (folder: string) =>
      (await readdir(join(maildir, folder, 'cur'))).length +
      (await readdir(join(maildir, folder, 'new'))).length;
    expect([await count(''), await count('.Archive'), await count('.Trash')]).toEqual([1, 1, 1]);
    const [inbox] = await readdir(join(maildir, 'cur'));
    expect(inbox).toMatch(/:2,FS$/);
  });

  it('hears about a delivery into the Maildir while idling', async () => {
    const c = client('idler');
    await c.connect();
    await c.mailboxOpen('INBOX');
    const exists = new Promise<number>((resolve) =>
      c.on('exists', (data: { count: number }) => resolve(data.count)),
    );
    const idling = c.idle();
    await new Promise((r) => setTimeout(r, 200));
    await deliver('idler', 'Subject: pushed\n\nx\n');
    expect(await exists).toBe(1);
    await c.logout();
    await idling.catch(() => undefined);
  });
});

describe('imapflow over STARTTLS', () => {
  it('upgrades before it logs in, then reads mail', async () => {
    await deliver('starttls', 'From: a@example.org\nSubject: upgraded\n\nover STARTTLS\n');
    const c = client('starttls', { port: mp.ports.imap, secure: false, doSTARTTLS: true });
    await c.connect();
    // Capabilities as sent after the upgrade (RFC 3501 §6.2.1): no STARTTLS, login allowed.
    expect(c.secureConnection).toBe(true);
    expect(c.capabilities.has('STARTTLS')).toBe(false);
    expect(c.capabilities.has('LOGINDISABLED')).toBe(false);
    await c.mailboxOpen('INBOX');
    const message = await c.fetchOne('1', { source: true, envelope: true });
    expect(message && message.envelope?.subject).toBe('upgraded');
    expect(message && message.source?.toString()).toBe(
      'From: a@example.org\r\nSubject: upgraded\r\n\r\nover STARTTLS\r\n',
    );
    await c.logout();
  });
});

describe("Python's imaplib", () => {
  const session = (user: string, port: number, mode: 'ssl' | 'starttls') =>
    run('python3', [
      IMAP_SESSION,
      '127.0.0.1',
      String(port),
      user,
      `pw of ${user}`,
      mp.caFile,
      mode,
    ]);

  it.each([
    ['ssl', 'python'],
    ['starttls', 'pystarttls'],
  ] as const)('runs every RFC 3501 command it has (%s)', async (mode, user) => {
    const result = await session(user, mode === 'ssl' ? mp.ports.imaps : mp.ports.imap, mode);
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as Record<string, unknown>;
    if (mode === 'starttls') {
      expect(out.before_tls).toEqual(expect.arrayContaining(['STARTTLS', 'LOGINDISABLED']));
      expect(out.starttls).toBe('OK');
    }
    expect(out.cipher).toMatch(/^TLSv1\.[23]$/);
    expect(out.capability).toEqual(expect.arrayContaining(['IMAP4REV1', 'IDLE', 'UIDPLUS']));
    expect(out.capability).not.toContain('LOGINDISABLED');
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
    // The APPENDed message is \Recent for the first session that selects INBOX (RFC 3501 §6.3.11).
    expect(out.fetch_meta).toMatch(
      /^1 \(FLAGS \(\\Flagged \\Recent\) RFC822\.SIZE 88 BODY\[\] \{88\}$/,
    );
    expect(out.store).toEqual(['1 (FLAGS (\\Flagged \\Seen \\Recent))']);
    expect(out.status).toBe('Py/Renamed (MESSAGES 1 UNSEEN 0)');
    expect(out.expunge).toEqual(['1']);
    const maildir = join(work, user);
    // Nothing subscribed any more: Dovecot 2.3's subscriptions file with its header alone.
    expect(await readFile(join(maildir, 'subscriptions'), 'utf8')).toBe('V\t2\n\n');
    // The appended message was expunged, and the folder its copy went to deleted.
    expect([
      ...(await readdir(join(maildir, 'cur'))),
      ...(await readdir(join(maildir, 'new'))),
    ]).toEqual([]);
    expect((await readdir(maildir)).filter((f) => f.startsWith('.Py'))).toEqual([]);
  });
});

/**
 * UIDs shared with Dovecot: Dovecot (Debian's, on loopback) assigns UIDs first; Mailport must
 * read the same UIDs and UIDVALIDITY; then Dovecot must read Mailport's additions and flags.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { generateMessages, writeCorpus } from '../../helpers/corpus.js';
import { hasDovecot, startDovecot, type DovecotServer } from '../../helpers/dovecot.js';
import { MaildirStore } from '../../../src-main/core/store/maildir/maildir-store.js';

let work: string;
let maildir: string;
let dovecot: DovecotServer;

/** A plain-text imapflow client for the Dovecot under test. */
function dovecotClient(): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user: dovecot.user, pass: dovecot.password },
    logger: false,
  });
}

async function dovecotView(): Promise<{ uidValidity: number; uids: [number, string[], string][] }> {
  const client = dovecotClient();
  await client.connect();
  const lock = await client.getMailboxLock('INBOX');
  try {
    const mailbox = client.mailbox as { uidValidity: bigint };
    const uids: [number, string[], string][] = [];
    for await (const m of client.fetch('1:*', { uid: true, flags: true, envelope: true })) {
      uids.push([m.uid, [...(m.flags ?? [])].sort(), m.envelope?.messageId ?? '']);
    }
    return { uidValidity: Number(mailbox.uidValidity), uids };
  } finally {
    lock.release();
    await client.logout();
  }
}

describe.skipIf(!hasDovecot)('dovecot-uidlist shared with Dovecot', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'mailport-dovecot-uid-'));
    await chmod(work, 0o755); // Dovecot serves the Maildir as an unprivileged user
    maildir = join(work, 'Maildir');
    await writeCorpus(maildir, generateMessages({ count: 40, seed: 7, largeShare: 0 }));
    dovecot = await startDovecot(maildir);
  });
  afterAll(async () => {
    await dovecot?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('reads the UIDs and UIDVALIDITY Dovecot assigned, and Dovecot reads Mailport’s', async () => {
    // Dovecot sees the Maildir first, and expunges two messages so the UIDs have gaps.
    const client = dovecotClient();
    await client.connect();
    await client.mailboxOpen('INBOX');
    await client.messageDelete('5,9', { uid: true });
    await client.logout();
    const before = await dovecotView();
    expect(before.uids).toHaveLength(38);

    const store = new MaildirStore(maildir);
    const inbox = await store.openMailbox('INBOX');
    const ours = await inbox.sync();
    expect(ours.uidValidity).toBe(before.uidValidity);
    expect(ours.messages.map((m) => m.uid)).toEqual(before.uids.map(([uid]) => uid));
    expect(ours.messages.map((m) => [...m.flags].filter((f) => f !== '\\Recent').sort())).toEqual(
      before.uids.map(([, flags]) => flags.filter((f) => f !== '\\Recent')),
    );

    // Mailport adds two messages and flags one; Dovecot must agree on all of it.
    await store.deliver('INBOX', Buffer.from('Message-ID: <new1@mailport>\nSubject: one\n\nx\n'));
    await store.deliver('INBOX', Buffer.from('Message-ID: <new2@mailport>\nSubject: two\n\ny\n'));
    const after = await inbox.sync();
    const firstUid = ours.messages[0]!.uid;
    await inbox.updateFlags(firstUid, 'add', ['\\Flagged', 'Important']);
    await inbox.close();
    dovecot.handOver();

    const view = await dovecotView();
    expect(view.uidValidity).toBe(before.uidValidity);
    expect(view.uids.map(([uid]) => uid)).toEqual(after.messages.map((m) => m.uid));
    expect(view.uids.slice(-2).map(([, , id]) => id)).toEqual([
      '<new1@mailport>',
      '<new2@mailport>',
    ]);
    expect(view.uids.slice(-2).map(([uid]) => uid)).toEqual([41, 42]);
    expect(view.uids[0]![1]).toEqual(expect.arrayContaining(['\\Flagged', 'Important']));
  });
});

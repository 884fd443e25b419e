/**
 * What submission puts into the account's own Maildir, through the store like any delivery:
 * the copy in Sent (marked \Seen, as a phone that saved it itself would) and bounces in INBOX.
 */
import { ensureSpecialUseMailboxes, specialUses } from '../store/special-use.js';
import type { MaildirStore } from '../store/maildir/maildir-store.js';

/** Saves `message` into the account's Sent mailbox (RFC 6154 \Sent, created if missing). */
export async function saveToSent(store: MaildirStore, message: Buffer): Promise<void> {
  await ensureSpecialUseMailboxes(store);
  const names = (await store.listMailboxes()).map((m) => m.name);
  const sent = [...specialUses(names)].find(([, use]) => use === '\\Sent')?.[0] ?? 'Sent';
  const mailbox = await store.openMailbox(sent);
  try {
    await mailbox.append(message, { flags: ['\\Seen'] });
  } finally {
    await mailbox.close();
  }
}

/** Delivers a bounce into INBOX (tmp/ → new/, so it is new mail on the phone). */
export async function deliverToInbox(store: MaildirStore, message: Buffer): Promise<void> {
  await store.deliver('INBOX', message);
}

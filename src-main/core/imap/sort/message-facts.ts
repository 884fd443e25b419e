/**
 * What SORT and THREAD (RFC 5256) need to know about a message, read once from its header
 * and kept in the metadata cache: the base subject, the sent date, the first mailbox of
 * From/To/Cc, and the Message-ID, In-Reply-To and References fields. As in Dovecot, each comes
 * from the first field of its name.
 */
import { parseAddressList } from '../../mime/address.js';
import { readHeader, type HeaderField } from '../../mime/header-lines.js';
import type { MailboxView } from '../mailbox-view.js';
import { baseSubject } from './base-subject.js';
import { decodeHeaderText } from './header-text.js';
import { parseSentDate } from './sent-date.js';
import { sortKeyText } from './sort-text.js';

/** Part of the cache key: bump it when what is computed changes. */
const FACTS_VERSION = 3;

export interface MessageFacts {
  /** Base subject (RFC 5256 §2.1), or null when there is no Subject field. */
  readonly subject: string | null;
  readonly replyOrForward: boolean;
  /** Sent date in ms since the epoch, or null when Date is missing or unreadable. */
  readonly sentDate: number | null;
  readonly from: string;
  readonly to: string;
  readonly cc: string;
  /** Raw field values (byte strings), null when absent. */
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  readonly references: string | null;
}

export function messageFacts(view: MailboxView, uid: number): Promise<MessageFacts> {
  return view.mailbox.cached(uid, `sort-facts/${FACTS_VERSION}`, async () =>
    factsOf(await view.mailbox.readHeader(uid)),
  );
}

export function factsOf(header: Buffer): MessageFacts {
  const first = new Map<string, string>();
  for (const field of readHeader(header, 0, header.length).fields as HeaderField[])
    if (!first.has(field.key)) first.set(field.key, field.value);
  const subject = first.get('subject');
  const base = subject === undefined ? undefined : baseSubject(subject);
  const date = first.get('date');
  return {
    subject: base?.text ?? null,
    replyOrForward: base?.replyOrForward ?? false,
    sentDate: date === undefined ? null : (parseSentDate(date.replace(/\n/g, '')) ?? null),
    from: firstMailbox(first.get('from')),
    to: firstMailbox(first.get('to')),
    cc: firstMailbox(first.get('cc')),
    messageId: first.get('message-id') ?? null,
    inReplyTo: first.get('in-reply-to') ?? null,
    references: first.get('references') ?? null,
  };
}

/**
 * The local part of the first address (RFC 5256 §3 "addr-mailbox"), encoded words decoded
 * first as Dovecot does, title-cased for comparison; '' when there is none.
 */
function firstMailbox(value: string | undefined): string {
  if (value === undefined) return '';
  const decoded = Buffer.from(decodeHeaderText(value, false), 'utf8');
  const first = parseAddressList(decoded.toString('latin1'))?.[0];
  const mailbox = first?.mailbox ?? '';
  return sortKeyText(Buffer.from(mailbox, 'latin1').toString('utf8'));
}

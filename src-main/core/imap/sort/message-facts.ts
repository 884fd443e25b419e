/**
 * What SORT and THREAD (RFC 5256) need to know about a message, read once from its header
 * and kept in the metadata cache: the base subject, the sent date, the first mailbox of
 * From/To/Cc, the display names of From and To (RFC 5957), the Message-ID and the references.
 * As in Dovecot, each comes from the first field of its name.
 */
import { parseAddressList, type Address } from '../../mime/address.js';
import { readHeader } from '../../mime/header-lines.js';
import { StoreError } from '../../store/errors.js';
import type { MailboxView } from '../mailbox-view.js';
import { baseSubject } from './base-subject.js';
import { decodeHeaderText } from './header-text.js';
import { messageIds } from './message-id.js';
import { parseSentDate } from './sent-date.js';
import { sortKeyText } from './sort-text.js';

/** Part of the cache key: bump it when what is computed changes. */
const FACTS_VERSION = 7;

export interface MessageFacts {
  /** Base subject (RFC 5256 §2.1), or null when there is no Subject field. */
  readonly subject: string | null;
  readonly replyOrForward: boolean;
  /** Sent date in ms since the epoch, or null when Date is missing or unreadable. */
  readonly sentDate: number | null;
  readonly from: string;
  readonly to: string;
  readonly cc: string;
  /** RFC 5957 display names of the first From and To addresses, title-cased. */
  readonly displayFrom: string;
  readonly displayTo: string;
  /** The Message-ID (RFC 5256 §2.2 "REFERENCES" step 1), null when there is no valid one. */
  readonly messageId: string | null;
  /** The message's references: the IDs in References, or else the first in In-Reply-To. */
  readonly references: readonly string[];
}

/**
 * The facts of a message of the view. One removed underneath since the view last synced
 * (RFC 3501 §7.4.1: it keeps its number until EXPUNGE is sent) is sorted as a message with
 * an empty header, as Dovecot does, rather than failing the whole command.
 */
export async function messageFacts(view: MailboxView, uid: number): Promise<MessageFacts> {
  try {
    return await view.mailbox.cached(uid, `sort-facts/${FACTS_VERSION}`, async () =>
      factsOf(await view.mailbox.readHeader(uid)),
    );
  } catch (err) {
    if (err instanceof StoreError && err.code === 'EXPUNGED') return factsOf(EMPTY_HEADER);
    throw err;
  }
}

const EMPTY_HEADER = Buffer.from('\r\n');

export function factsOf(header: Buffer): MessageFacts {
  const first = new Map<string, string>();
  for (const field of readHeader(header, 0, header.length).fields)
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
    displayFrom: displayName(first.get('from')),
    displayTo: displayName(first.get('to')),
    messageId: messageIds(first.get('message-id'))[0] ?? null,
    references: referencesOf(first.get('references'), first.get('in-reply-to')),
  };
}

/**
 * The parents a message names (RFC 5256 §2.2 step 1.A), as Dovecot takes them: every valid ID
 * of References, or, when it has none, the first valid ID of In-Reply-To.
 */
function referencesOf(references: string | undefined, inReplyTo: string | undefined): string[] {
  const ids = messageIds(references);
  return ids.length > 0 ? ids : messageIds(inReplyTo).slice(0, 1);
}

/**
 * The local part of the first address (RFC 5256 §3 "addr-mailbox"), encoded words decoded
 * first as Dovecot does, title-cased for comparison; '' when there is none.
 */
function firstMailbox(value: string | undefined): string {
  const mailbox = firstAddress(value)?.mailbox ?? '';
  return sortKeyText(utf8(mailbox));
}

/**
 * RFC 5957 §2: the first address's display name, decoded; its addr-spec when the name is
 * missing or empty (the mailbox alone for a group or a mailbox without a domain).
 */
function displayName(value: string | undefined): string {
  const first = firstAddress(value);
  if (!first) return '';
  const name = first.name === null ? '' : decodeHeaderText(first.name, false);
  if (name !== '') return sortKeyText(name);
  if (first.mailbox === null) return '';
  const spec = first.domain === null ? first.mailbox : `${first.mailbox}@${first.domain}`;
  return sortKeyText(utf8(spec));
}

/** The first address of a field, parsed after its encoded words are decoded (byte strings). */
function firstAddress(value: string | undefined): Address | undefined {
  if (value === undefined) return undefined;
  const decoded = Buffer.from(decodeHeaderText(value, false), 'utf8');
  return parseAddressList(decoded.toString('latin1'))?.[0];
}

const utf8 = (byteString: string): string => Buffer.from(byteString, 'latin1').toString('utf8');

/**
 * The ENVELOPE of RFC 3501 §7.4.2, as facts about a header: Date, Subject, Message-ID and
 * In-Reply-To as written (RFC 2047 words left encoded; the last field of a name wins, as in
 * Dovecot), and the address fields parsed (several fields of one name are merged as if they
 * were one comma-separated list, Dovecot's defence against "which From does the MUA show").
 * Strings are byte strings (one char per octet), NUL octets replaced by U+FFFD as Dovecot does.
 * `sender` and `replyTo` are null when absent; the IMAP formatter writes `from` in their
 * place (RFC 3501 §7.4.2).
 */
import { parseAddressList, type Address } from './address.js';
import { readHeader, type HeaderField } from './header-lines.js';
import { NUL_REPLACEMENT } from './rfc822-tokens.js';

export type { Address } from './address.js';

export interface Envelope {
  readonly date: string | null;
  readonly subject: string | null;
  readonly from: readonly Address[] | null;
  readonly sender: readonly Address[] | null;
  readonly replyTo: readonly Address[] | null;
  readonly to: readonly Address[] | null;
  readonly cc: readonly Address[] | null;
  readonly bcc: readonly Address[] | null;
  readonly inReplyTo: string | null;
  readonly messageId: string | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const TEXT_FIELDS: ReadonlyMap<string, 'date' | 'subject' | 'inReplyTo' | 'messageId'> = new Map([
  ['date', 'date'],
  ['subject', 'subject'],
  ['in-reply-to', 'inReplyTo'],
  ['message-id', 'messageId'],
]);
const ADDRESS_FIELDS: ReadonlyMap<string, 'from' | 'sender' | 'replyTo' | 'to' | 'cc' | 'bcc'> =
  new Map([
    ['from', 'from'],
    ['sender', 'sender'],
    ['reply-to', 'replyTo'],
    ['to', 'to'],
    ['cc', 'cc'],
    ['bcc', 'bcc'],
  ]);

/** The envelope of a header (the bytes up to and including the empty line, or more). */
export function envelopeOf(header: Buffer): Envelope {
  return envelopeOfFields(readHeader(header, 0, header.length).fields);
}

export function envelopeOfFields(fields: readonly HeaderField[]): Envelope {
  const e: Mutable<Envelope> = {
    date: null,
    subject: null,
    from: null,
    sender: null,
    replyTo: null,
    to: null,
    cc: null,
    bcc: null,
    inReplyTo: null,
    messageId: null,
  };
  for (const field of fields) {
    const name = field.key;
    const text = TEXT_FIELDS.get(name);
    if (text) {
      e[text] = headerString(field.value);
      continue;
    }
    const list = ADDRESS_FIELDS.get(name);
    if (!list) continue;
    const parsed = parseAddressList(field.value);
    if (parsed) e[list] = [...(e[list] ?? []), ...parsed];
  }
  return e;
}

/** A header value as a string, NUL octets shown as U+FFFD (Dovecot's message_header_strdup). */
export function headerString(value: string): string {
  return value.includes('\0') ? value.replace(/\0/g, NUL_REPLACEMENT) : value;
}

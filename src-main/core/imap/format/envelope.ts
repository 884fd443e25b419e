/** ENVELOPE in IMAP syntax (RFC 3501 §7.4.2). */
import type { EnvelopeAddress } from '../../mime/address.js';
import type { Envelope } from '../../mime/envelope.js';
import { nstring } from './imap-string.js';

export function formatEnvelope(e: Envelope): string {
  return `(${[
    nstring(e.date),
    nstring(e.subject),
    addresses(e.from),
    addresses(e.sender),
    addresses(e.replyTo),
    addresses(e.to),
    addresses(e.cc),
    addresses(e.bcc),
    nstring(e.inReplyTo),
    nstring(e.messageId),
  ].join(' ')})`;
}

function addresses(list: readonly EnvelopeAddress[] | null): string {
  if (!list || list.length === 0) return 'NIL';
  return `(${list.map((a) => `(${nstring(a.name)} ${nstring(a.adl)} ${nstring(a.mailbox)} ${nstring(a.host)})`).join('')})`;
}

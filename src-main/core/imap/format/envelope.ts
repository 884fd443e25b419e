/**
 * ENVELOPE (RFC 3501 §7.4.2) written as Dovecot 2.3 writes it (lib-imap/imap-envelope.c):
 * `(date subject from sender reply-to to cc bcc in-reply-to message-id)`; sender and
 * reply-to fall back to from; date, in-reply-to and message-id have line ends removed;
 * subject and display names are written "for humans" (whitespace collapsed, a literal when
 * that changed anything or an octet is 8-bit). The result is a byte string.
 */
import type { Address, Envelope } from '../../mime/envelope.js';
import { nstring, nstringNoLf, stringForHumans } from './imap-string.js';

export function formatEnvelope(e: Envelope): string {
  return `(${envelopeFields(e)})`;
}

/** The ten fields without the surrounding parentheses (BODYSTRUCTURE nests them itself). */
export function envelopeFields(e: Envelope): string {
  return [
    nstringNoLf(e.date),
    e.subject === null ? 'NIL' : stringForHumans(e.subject),
    addresses(e.from),
    addresses(e.sender ?? e.from),
    addresses(e.replyTo ?? e.from),
    addresses(e.to),
    addresses(e.cc),
    addresses(e.bcc),
    nstringNoLf(e.inReplyTo),
    nstringNoLf(e.messageId),
  ].join(' ');
}

function addresses(list: readonly Address[] | null): string {
  if (!list) return 'NIL';
  return `(${list.map(address).join('')})`;
}

function address(a: Address): string {
  const name = a.name === null ? 'NIL' : stringForHumans(a.name);
  return `(${name} ${nstring(a.route)} ${nstring(a.mailbox)} ${nstring(a.domain)})`;
}

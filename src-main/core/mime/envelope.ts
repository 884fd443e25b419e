/**
 * ENVELOPE (RFC 3501 §7.4.2) from a header: raw values (MIME words left encoded, folding
 * removed), address lists parsed; Sender and Reply-To fall back to From.
 */
import { parseAddressList, type EnvelopeAddress } from './address.js';
import { field, parseHeader, unfold } from './header.js';

export interface Envelope {
  readonly date: string | null;
  readonly subject: string | null;
  readonly from: readonly EnvelopeAddress[] | null;
  readonly sender: readonly EnvelopeAddress[] | null;
  readonly replyTo: readonly EnvelopeAddress[] | null;
  readonly to: readonly EnvelopeAddress[] | null;
  readonly cc: readonly EnvelopeAddress[] | null;
  readonly bcc: readonly EnvelopeAddress[] | null;
  readonly inReplyTo: string | null;
  readonly messageId: string | null;
}

export function envelopeOf(header: Buffer): Envelope {
  const fields = parseHeader(header);
  const text = (name: string): string | null => {
    const f = field(fields, name);
    return f ? unfold(f.raw) : null;
  };
  const addresses = (name: string): EnvelopeAddress[] | null => {
    const value = text(name);
    if (value === null) return null;
    const list = parseAddressList(value);
    return list.length ? list : null;
  };
  const from = addresses('From');
  return {
    date: text('Date'),
    subject: text('Subject'),
    from,
    sender: addresses('Sender') ?? from,
    replyTo: addresses('Reply-To') ?? from,
    to: addresses('To'),
    cc: addresses('Cc'),
    bcc: addresses('Bcc'),
    inReplyTo: text('In-Reply-To'),
    messageId: text('Message-ID'),
  };
}

/**
 * The bounce: a delivery status notification (RFC 3464, in a multipart/report of RFC 6522)
 * put into the sender's INBOX when the relay refuses a message for good or the retries run
 * out. A human part says what happened in plain words; the original header is quoted, never
 * the body (RFC 3462 text/rfc822-headers).
 */
import { randomBytes } from 'node:crypto';
import { BOUNCE_MAX_HEADER_BYTES } from './limits.js';
import type { Refusal } from './relay-client.js';

export interface BounceInput {
  readonly from: string;
  readonly queuedAt: string;
  readonly relayHost: string;
  readonly refused: readonly Refusal[];
  /** Why, when it was not the relay's answer (the retries ran out). */
  readonly reason?: string;
  readonly original: Buffer;
  /** This computer's name, for the From and Reporting-MTA fields. */
  readonly hostName: string;
  readonly now?: Date;
}

export function bounceMessage(input: BounceInput): Buffer {
  const now = input.now ?? new Date();
  const boundary = `=_mailport_${randomBytes(9).toString('hex')}`;
  const host = input.hostName.replace(/[^A-Za-z0-9.-]/g, '') || 'localhost';
  const human = [
    `Mailport could not deliver your message, accepted on ${input.queuedAt},`,
    `through ${input.relayHost}.`,
    '',
    input.reason ?? 'The outgoing server refused it:',
    '',
    ...input.refused.map((r) => `  ${r.recipient || '(all recipients)'}: ${r.reply}`),
    '',
    'The header of your message follows. It was not sent and will not be sent again.',
  ];
  const status = [
    `Reporting-MTA: dns; ${host}`,
    `Arrival-Date: ${new Date(input.queuedAt).toUTCString()}`,
    ...input.refused.flatMap((r) => [
      '',
      `Final-Recipient: rfc822; ${oneLine(r.recipient)}`,
      'Action: failed',
      `Status: ${enhancedStatus(r.reply)}`,
      `Remote-MTA: dns; ${oneLine(input.relayHost)}`,
      `Diagnostic-Code: smtp; ${oneLine(r.reply)}`,
    ]),
  ];
  const lines = [
    `From: Mail Delivery System <MAILER-DAEMON@${host}>`,
    `To: <${oneLine(input.from)}>`,
    'Subject: Undelivered Mail Returned to Sender',
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${now.getTime()}.${randomBytes(6).toString('hex')}@${host}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...human,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    ...status,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    originalHeader(input.original),
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/** The header of the original, through its last field, with CRLF line ends. */
function originalHeader(message: Buffer): string {
  const text = message.subarray(0, BOUNCE_MAX_HEADER_BYTES).toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  const header = end === -1 ? text : text.slice(0, end);
  return header.replace(/\r?\n/g, '\r\n');
}

/** The reply's enhanced status code (RFC 3463), or 5.0.0. */
function enhancedStatus(reply: string): string {
  return /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply)?.[1] ?? '5.0.0';
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

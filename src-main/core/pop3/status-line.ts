/**
 * The first line of every POP3 response (RFC 1939 §3): `+OK` or `-ERR`, text, CRLF, at most
 * 512 octets in all. The text may quote the client, so it is made printable ASCII first and
 * then cut to fit.
 */
import { printableText } from '../net/client-text.js';
import { MAX_STATUS_LINE_BYTES } from './limits.js';

export type StatusIndicator = '+OK' | '-ERR';

export function statusLine(indicator: StatusIndicator, text: string): string {
  if (!text) return `${indicator}\r\n`;
  const room = MAX_STATUS_LINE_BYTES - indicator.length - ' \r\n'.length;
  return `${indicator} ${printableText(text, room)}\r\n`;
}

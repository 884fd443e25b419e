/**
 * UTF8=ACCEPT (RFC 6855) in a session. `ENABLE UTF8=ACCEPT` (§3) switches the session, and only
 * that session, to UTF-8 mailbox names: from then on names are read as UTF-8 (an `&` is just
 * an ampersand, not the start of modified UTF-7) and written as UTF-8 quoted strings
 * (§3 `uQUOTED-CHAR`); SEARCH may not name a charset and SORT/THREAD may name only UTF-8
 * (§3 and its verified erratum 4029); APPEND takes the `UTF8 (literal8)` data item (§4).
 * A session that has not enabled it sees modified UTF-7 names exactly as before.
 */
import { TextDecoder } from 'node:util';
import { encodeModifiedUtf7 } from '../store/mailbox-name.js';
import { astring, utf8Bytes } from './format/imap-string.js';
import { rev2Enabled } from './imap4rev2.js';

export const UTF8_ACCEPT = 'UTF8=ACCEPT';

/** What the name codec needs of a session: the extensions it has enabled (RFC 5161). */
export interface EnabledExtensions {
  readonly enabled: ReadonlySet<string>;
}

export function utf8Accepted(session: EnabledExtensions): boolean {
  return session.enabled.has(UTF8_ACCEPT);
}

/** Mailbox names are UTF-8 under UTF8=ACCEPT and under IMAP4rev2 (RFC 9051 §5.1). */
export function utf8Names(session: EnabledExtensions): boolean {
  return utf8Accepted(session) || rev2Enabled(session);
}

/** Turns UTF8=ACCEPT on; true when it was off. */
export function enableUtf8Accept(session: { readonly enabled: Set<string> }): boolean {
  if (session.enabled.has(UTF8_ACCEPT)) return false;
  session.enabled.add(UTF8_ACCEPT);
  return true;
}

/**
 * RFC 6855 §3: a mailbox name is Net-Unicode without control characters (U+0000–U+001F,
 * U+007F–U+009F), LINE SEPARATOR or PARAGRAPH SEPARATOR.
 */
const NOT_IN_MAILBOX_NAMES = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The client's octets as Unicode when they are well-formed UTF-8 holding no character RFC 6855
 * §3 keeps out of mailbox names; otherwise the reason they are refused.
 */
export function utf8MailboxText(bytes: Buffer): { text: string } | { refusal: string } {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { refusal: 'Mailbox name is not valid UTF-8' };
  }
  if (NOT_IN_MAILBOX_NAMES.test(text))
    return { refusal: 'Mailbox name contains a control or separator character' };
  return { text };
}

/** `"…"` with `"` and `\` escaped and every other octet (UTF-8 included) kept (§3). */
function utf8Quoted(bytes: string): string {
  return `"${bytes.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/**
 * A store name as a session writes it (a byte string): modified UTF-7 (RFC 3501 §5.1.3) unless
 * the session enabled UTF8=ACCEPT or IMAP4rev2; then an atom when ASCII allows one, else a
 * UTF-8 quoted string (RFC 6855 §3). Store names never hold CR, LF or NUL
 * (`store/mailbox-name.ts`).
 */
export function wireMailboxName(name: string, session: EnabledExtensions): string {
  if (!utf8Names(session)) return astring(encodeModifiedUtf7(name));
  // In UTF-8 an ASCII name is itself: `&` is an ampersand, never a modified UTF-7 shift.
  return /^[\x20-\x7e]*$/.test(name) ? astring(name) : utf8Quoted(utf8Bytes(name));
}

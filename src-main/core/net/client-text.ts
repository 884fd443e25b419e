/**
 * Text that goes back to a client on a status line (IMAP BAD/NO, POP3 -ERR) and may carry
 * what the client sent. A status line is one line of printable text: CR, LF or NUL in it
 * would end the line early and let the rest pass for a line of the server's (a forged
 * `* 999 EXISTS`), and 8-bit bytes are not text in either protocol's status lines.
 */

/** Characters of client input quoted in a reply. */
export const MAX_QUOTED_INPUT_CHARS = 40;
/** Characters of a whole reply text (a store error naming a mailbox, say). */
export const MAX_REPLY_TEXT_CHARS = 400;

const NOT_PRINTABLE = /[^\x20-\x7e]/g;
const ELLIPSIS = '...';

/** Printable ASCII only (anything else becomes "?"), at most `maxChars` with an ellipsis. */
export function printableText(text: string, maxChars = MAX_REPLY_TEXT_CHARS): string {
  const cut =
    text.length > maxChars ? text.slice(0, Math.max(0, maxChars - ELLIPSIS.length)) : text;
  const clean = cut.replace(NOT_PRINTABLE, '?');
  return cut === text ? clean : clean + ELLIPSIS;
}

/** A piece of client input (a name, an argument) as it may appear inside a reply. */
export function quoteInput(text: string, maxChars = MAX_QUOTED_INPUT_CHARS): string {
  return printableText(text, maxChars);
}

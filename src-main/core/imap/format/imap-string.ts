/**
 * IMAP string syntax (RFC 3501 §4.3, §9 `string`, `nstring`, `astring`) written the way
 * Dovecot 2.3 writes it (lib-imap/imap-quote.c), so responses match it byte for byte.
 *
 * Every function here takes and returns **byte strings**: JavaScript strings in which each
 * char code 0–255 is one octet (what `Buffer#toString('latin1')` gives and what the session
 * writes with `Buffer.from(s, 'latin1')`). Header values are kept in this form so that 8-bit
 * bytes reach the client unchanged, as Dovecot sends them. Use `utf8Bytes()` (or
 * `imapString()`) for Unicode text.
 *
 * - `quoted(s)`: always a quoted string; CR, LF and 8-bit octets are dropped (Dovecot's
 *   imap_append_quoted). Only for text known to be 7-bit.
 * - `nstring(s)`: NIL for null; a quoted string, or a literal `{n}\r\n…` when `s` holds CR, LF,
 *   an 8-bit octet, or more than four `"`/`\` (Dovecot's QUOTED_MAX_ESCAPE_CHARS).
 * - `nstringNoLf(s)`: `nstring` after line ends are removed (folded header values).
 * - `stringForHumans(s)`: subjects and display names: whitespace runs collapsed to one space,
 *   trimmed, NUL shown as 0x80; a literal whenever anything had to change or an octet is 8-bit.
 * - `astring(s)`: an atom when every octet is ASTRING-CHAR (and it is not `NIL`), else `nstring`.
 * - `imapString(text)`: `nstring(utf8Bytes(text))` for Unicode text.
 */

const QUOTED_MAX_ESCAPE_CHARS = 4;
const CR = 13;
const LF = 10;

/** Unicode text → byte string of its UTF-8 encoding. */
export function utf8Bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** `{n}\r\n` followed by the octets. */
export function literal(s: string): string {
  return `{${s.length}}\r\n${s}`;
}

export function quoted(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === CR || c === LF || c >= 0x80) continue;
    if (c === 0x22 || c === 0x5c) out += '\\';
    out += s[i];
  }
  return out + '"';
}

export function nstring(s: string | null): string {
  if (s === null) return 'NIL';
  let escapes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) {
      if (escapes++ >= QUOTED_MAX_ESCAPE_CHARS) return literal(s);
    } else if (c === CR || c === LF || c >= 0x80) {
      return literal(s);
    }
  }
  return quoted(s);
}

/** Unicode text (or null) as an IMAP nstring of its UTF-8 octets. */
export function imapString(text: string | null): string {
  return text === null ? 'NIL' : nstring(utf8Bytes(text));
}

/**
 * Line ends removed; a space is put in where the next line does not start with whitespace
 * (Dovecot's imap_append_nstring_nolf), then `nstring`.
 */
export function nstringNoLf(s: string | null): string {
  if (s === null || !/[\r\n]/.test(s)) return nstring(s);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\r' && c !== '\n') out += c;
    else if (i + 1 < s.length && !' \t\r\n'.includes(s[i + 1]!)) out += ' ';
  }
  return nstring(out);
}

const isWhite = (c: number): boolean => c === 0x20 || c === 9 || c === CR || c === LF;

/** Dovecot's imap_append_string_for_humans (ENVELOPE subject and display names). */
export function stringForHumans(s: string): string {
  let modify = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 9 || c === CR || c === LF || c === 0x22 || c === 0x5c || c >= 0x80) {
      modify = true;
      break;
    }
  }
  const collapsed = collapseWhitespace(s);
  if (!modify && collapsed === s) return `"${s}"`;
  if (collapsed.length === 0) return '""';
  return literal(collapsed);
}

/** Whitespace runs → one space, leading and trailing whitespace dropped, NUL → 0x80. */
function collapseWhitespace(s: string): string {
  let out = '';
  let lastWhite = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isWhite(c)) {
      if (!lastWhite) out += ' ';
      lastWhite = true;
    } else {
      out += c === 0 ? '\x80' : s[i];
      lastWhite = false;
    }
  }
  return lastWhite && out.endsWith(' ') ? out.slice(0, -1) : out;
}

const ATOM_SPECIALS = new Set([...'(){ %*"\\']);

/** An atom where RFC 3501 allows one (ASTRING-CHAR, not `NIL`), else a string. */
export function astring(s: string): string {
  if (s.length === 0 || s.toUpperCase() === 'NIL') return nstring(s);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || ATOM_SPECIALS.has(s[i]!)) return nstring(s);
  }
  return s;
}

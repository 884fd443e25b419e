/**
 * IMAP strings (RFC 3501 §4.3): `nstring(s)` gives NIL, a quoted string, or a literal when the
 * text holds CR, LF, NUL, 8-bit bytes, `"` or `\` (Dovecot sends a literal rather than escape).
 * Input is a latin1 "byte" string.
 */
export function nstring(value: string | null): string {
  if (value === null) return 'NIL';
  if (/[\r\n\0\x80-\xff"\\]/.test(value)) return `{${value.length}}\r\n${value}`;
  return `"${value}"`;
}

/** A string that is never NIL. */
export function quoted(value: string): string {
  return nstring(value);
}

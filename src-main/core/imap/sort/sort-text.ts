/**
 * Text as SORT compares it (RFC 5256 §2.1 leaves the collation to the server; "i;unicode-casemap"
 * as Dovecot implements it): each character title-cased and decomposed, and strings compared
 * by their UTF-8 octets.
 */

/** Title-cased (simple mapping, one character to one) and compatibility-decomposed. */
export function sortKeyText(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFKD')) {
    const upper = ch.toUpperCase();
    out += [...upper].length === 1 ? upper : ch;
  }
  return out;
}

/** strcmp of the UTF-8 forms: code point order. */
export function compareText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

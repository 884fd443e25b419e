/**
 * RFC 2047 encoded words (`=?charset?B|Q?text?=`) decoded for SEARCH, and the charset and
 * Content-Transfer-Encoding decoders they share with body text (RFC 2045 §6.7, §6.8).
 * Charsets are whatever Node's TextDecoder knows (WHATWG labels: utf-8, iso-8859-*,
 * windows-125x, koi8-r, gb18030, shift_jis, …); unknown ones fall back to UTF-8 with
 * replacement characters. Octets that are not valid UTF-8 in an unlabelled header are read
 * as Latin-1, so they can still be matched.
 */

/** Decodes bytes in a charset; never throws. RFC 2231 language suffixes (`*en`) are ignored. */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  const label = charset.split('*')[0]!.trim().toLowerCase();
  if (LATIN1_LABELS.has(label)) return decodeWindows1252(bytes);
  try {
    return new TextDecoder(label || 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * WHATWG (and every mail client) reads ISO-8859-1 and US-ASCII labels as windows-1252; Node
 * builds without full ICU decode them as plain Latin-1, so the 0x80–0x9F block is mapped here.
 */
const LATIN1_LABELS = new Set([
  'windows-1252',
  'cp1252',
  'x-cp1252',
  'iso-8859-1',
  'iso8859-1',
  'latin1',
  'l1',
  'us-ascii',
  'ascii',
]);
const CP1252_80_9F =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes)
    out += b >= 0x80 && b <= 0x9f ? CP1252_80_9F[b - 0x80] : String.fromCharCode(b);
  return out;
}

/** A header byte string as text: UTF-8 when valid, otherwise Latin-1. */
export function rawHeaderText(value: string): string {
  const bytes = Buffer.from(value, 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return value;
  }
}

export function decodeBase64(text: string): Buffer {
  return Buffer.from(text.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/** Quoted-printable (RFC 2045 §6.7); `underscoreSpace` for RFC 2047 "Q" words. */
export function decodeQuotedPrintable(text: string, underscoreSpace = false): Buffer {
  const src = underscoreSpace ? text.replace(/_/g, ' ') : text;
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c !== 0x3d) {
      out.push(c & 0xff);
      continue;
    }
    const hex = src.slice(i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      const soft = /^[ \t]*\r?\n/.exec(src.slice(i + 1));
      if (soft)
        i += soft[0].length; // soft line break
      else out.push(c);
    }
  }
  return Buffer.from(out);
}

const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Decodes the encoded words of an unfolded header value (byte string). Whitespace between
 * two adjacent encoded words is dropped (RFC 2047 §6.2); other text is kept.
 */
export function decodeEncodedWords(value: string): string {
  let out = '';
  let last = 0;
  let prevWordEnd = -1;
  for (const m of value.matchAll(ENCODED_WORD)) {
    const between = value.slice(last, m.index);
    if (!(prevWordEnd === last && /^[ \t\r\n]*$/.test(between))) out += rawHeaderText(between);
    const [, charset, encoding, text] = m as unknown as [string, string, string, string];
    const bytes =
      encoding.toUpperCase() === 'B' ? decodeBase64(text) : decodeQuotedPrintable(text, true);
    out += decodeCharset(bytes, charset);
    last = prevWordEnd = m.index + m[0].length;
  }
  return out + rawHeaderText(value.slice(last));
}

/**
 * RFC 2047 encoded words (`=?charset?B|Q?text?=`) decoded for SEARCH, and the charset and
 * Content-Transfer-Encoding decoders they share with body text (RFC 2045 §6.7, §6.8).
 * Charsets are whatever Node's TextDecoder knows (WHATWG labels: utf-8, iso-8859-*,
 * windows-125x, koi8-r, gb18030, shift_jis, …); unknown ones fall back to UTF-8 with
 * replacement characters. Octets that are not valid UTF-8 in an unlabelled header are read
 * as Latin-1, so they can still be matched.
 */
import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';

/** Decodes bytes in a charset; never throws. RFC 2231 language suffixes (`*en`) are ignored. */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  const label = charset.split('*')[0]!.trim().toLowerCase();
  // ASCII octets read as themselves in these charsets: one native check, then a plain copy.
  const ascii = isAscii(bytes);
  if (LATIN1_LABELS.has(label)) return ascii ? latin1(bytes) : decodeWindows1252(bytes);
  const decoder = decoderFor(label || 'utf-8');
  return ascii && decoder.encoding === 'utf-8' ? latin1(bytes) : decoder.decode(bytes);
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

const decoders = new Map<string, TextDecoder>();

/** One decoder per label (decoding without `stream` keeps no state); unknown labels read as UTF-8. */
function decoderFor(label: string): TextDecoder {
  let decoder = decoders.get(label);
  if (!decoder) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = decoderFor('utf-8');
    }
    if (decoders.size < 64) decoders.set(label, decoder);
  }
  return decoder;
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
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (c) => CP1252_80_9F[c.charCodeAt(0) - 0x80]!);
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A header byte string as text: UTF-8 when valid, otherwise Latin-1. */
export function rawHeaderText(value: string): string {
  // ASCII (most header text) reads the same either way: no copy, no decoding.
  if (Buffer.byteLength(value, 'utf8') === value.length) return value;
  const bytes = Buffer.from(value, 'latin1');
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return value;
  }
}

export function decodeBase64(text: string): Buffer {
  return Buffer.from(text.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/** Quoted-printable (RFC 2045 §6.7); `underscoreSpace` for RFC 2047 "Q" words. */
export function decodeQuotedPrintable(text: string, underscoreSpace = false): Buffer {
  return decodeQuotedPrintableBytes(
    Buffer.from(underscoreSpace ? text.replace(/_/g, ' ') : text, 'latin1'),
  );
}

/** Runs up to this long between "=" escapes are copied octet by octet. */
const SHORT_RUN_BYTES = 64;

/** Quoted-printable octets decoded (a body part as it is, without a string between). */
export function decodeQuotedPrintableBytes(src: Buffer): Buffer {
  const out = Buffer.allocUnsafe(src.length); // decoding never grows
  let length = 0;
  let i = 0;
  while (i < src.length) {
    const eq = src.indexOf(0x3d, i);
    const end = eq === -1 ? src.length : eq;
    // Encoded text has short runs between escapes: a loop, not a native call for each.
    if (end - i < SHORT_RUN_BYTES) for (let k = i; k < end; k++) out[length++] = src[k]!;
    else length += src.copy(out, length, i, end);
    if (eq === -1) break;
    const high = hexDigit(src[eq + 1]);
    const low = hexDigit(src[eq + 2]);
    if (high !== -1 && low !== -1) {
      out[length++] = high * 16 + low;
      i = eq + 3;
      continue;
    }
    // A soft line break: "=", spaces or tabs, then CRLF or LF.
    let j = eq + 1;
    while (src[j] === 0x20 || src[j] === 0x09) j++;
    if (src[j] === 0x0d) j++;
    if (src[j] === 0x0a) {
      i = j + 1;
    } else {
      out[length++] = 0x3d; // a lone "=" is kept
      i = eq + 1;
    }
  }
  return out.subarray(0, length);
}

function hexDigit(byte: number | undefined): number {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
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

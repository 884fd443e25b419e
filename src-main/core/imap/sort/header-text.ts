/**
 * Header values decoded to text for SORT and THREAD the way Dovecot decodes them there
 * (RFC 2047 words, RFC 5256 §2.1 step 1), which is more lenient than the ABNF: an encoded
 * word runs from "=?" over three "?" to the "?=" after the third, spaces included; broken
 * base64 yields the octets decoded before the first bad character; whitespace is dropped
 * between two encoded words and before a first one. Octets that are not UTF-8 become
 * U+FFFD (one for a run). With `normalize`, text is title-cased and decomposed (see
 * sort-text.ts), except the text of a word in a charset that is not known.
 */
import { TextDecoder } from 'node:util';
import { decodeCharset } from '../../mime/encoded-words.js';
import { sortKeyText } from './sort-text.js';

const REPLACEMENT_RUN = /\ufffd+/g;
const LWSP_ONLY = /^[ \t\r\n]*$/;
const UTF8_LABELS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BITS_PER_BASE64_CHAR = 6;
const BITS_PER_OCTET = 8;

const utf8 = new TextDecoder('utf-8');

/** `value` is a byte string (one char per octet). */
export function decodeHeaderText(value: string, normalize: boolean): string {
  const piece = (text: string, known: boolean) => (normalize && known ? sortKeyText(text) : text);
  let out = '';
  let start = 0;
  let pos = 0;
  while (pos + 1 < value.length) {
    if (value[pos] !== '=' || value[pos + 1] !== '?') {
      pos++;
      continue;
    }
    const word = readWord(value, pos + 2);
    if (!word) {
      pos += 2;
      continue;
    }
    const before = value.slice(start, pos);
    if (before !== '' && !LWSP_ONLY.test(before)) out += piece(validText(before), true);
    out += piece(word.text, word.knownCharset);
    pos = start = word.end;
  }
  if (start < value.length) out += piece(validText(value.slice(start)), true);
  return out;
}

/** The word whose "charset?encoding?text?=" starts at `from`, or undefined. */
function readWord(
  value: string,
  from: number,
): { text: string; knownCharset: boolean; end: number } | undefined {
  const q1 = value.indexOf('?', from);
  const q2 = q1 === -1 ? -1 : value.indexOf('?', q1 + 1);
  const q3 = q2 === -1 ? -1 : value.indexOf('?', q2 + 1);
  if (q3 === -1 || value[q3 + 1] !== '=') return undefined;
  const encoding = value[q1 + 1]?.toUpperCase();
  const encoded = value.slice(q2 + 1, q3);
  let bytes: Buffer;
  if (encoding === 'Q') bytes = qDecode(encoded);
  else if (encoding === 'B') bytes = base64Prefix(encoded);
  else return undefined;
  const charset = value.slice(from, q1).toLowerCase();
  const end = q3 + 2;
  if (UTF8_LABELS.has(charset)) return { text: validUtf8(bytes), knownCharset: true, end };
  if (!isKnownCharset(charset)) return { text: validUtf8(bytes), knownCharset: false, end };
  return {
    text: decodeCharset(bytes, charset).replace(REPLACEMENT_RUN, '\ufffd'),
    knownCharset: true,
    end,
  };
}

function isKnownCharset(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

function validText(byteString: string): string {
  return validUtf8(Buffer.from(byteString, 'latin1'));
}

function validUtf8(bytes: Buffer): string {
  return utf8.decode(bytes).replace(REPLACEMENT_RUN, '\ufffd');
}

/** RFC 2047 §4.2 "Q": "_" is a space, "=XX" an octet; a broken "=" is dropped. */
function qDecode(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '_') out.push(0x20);
    else if (c !== '=') out.push(c.charCodeAt(0) & 0xff);
    else if (/^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    }
  }
  return Buffer.from(out);
}

/** Base64 up to the first character outside the alphabet (whitespace skipped). */
function base64Prefix(text: string): Buffer {
  const out: number[] = [];
  let bits = 0;
  let count = 0;
  for (const c of text) {
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    const v = BASE64_ALPHABET.indexOf(c);
    if (v === -1) break;
    bits = ((bits << BITS_PER_BASE64_CHAR) | v) & 0xffffff;
    count += BITS_PER_BASE64_CHAR;
    if (count >= BITS_PER_OCTET) {
      count -= BITS_PER_OCTET;
      out.push((bits >> count) & 0xff);
    }
  }
  return Buffer.from(out);
}

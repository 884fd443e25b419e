/**
 * Text for IMAP SEARCH (RFC 3501 §6.4.4) as Dovecot finds it without full-text search:
 * header values with RFC 2047 words decoded, the text of text/* parts with their
 * Content-Transfer-Encoding and charset decoded, and a case-insensitive substring test.
 * BODY searches the body text alone; TEXT searches it and every header in the message (its
 * own, each MIME part's and each attached message's), decoded.
 */
import {
  decodeBase64,
  decodeCharset,
  decodeEncodedWords,
  decodeQuotedPrintable as qp,
  decodeQuotedPrintableBytes,
} from './encoded-words.js';
import { parseAddressList, type Address } from './address.js';

/** RFC 2047 words of a header value decoded (see encoded-words.ts). */
export const decodeWords = decodeEncodedWords;

/** Quoted-printable body decoding (RFC 2045 §6.7). */
export function decodeQuotedPrintable(body: Buffer | string): Buffer {
  return qp(typeof body === 'string' ? body : body.toString('latin1'));
}
import { fieldKey, readHeader } from './header-lines.js';
import { Latin1Patterns } from './latin1-pattern.js';
import type { BodyPart } from './structure.js';

/**
 * The decoded values of every field called `name` (any case), in header order; `*` gives
 * every field. Line ends of folded values are removed (RFC 5322 §2.2.3).
 */
export function decodedHeader(header: Buffer, name: string): string[] {
  const wanted = fieldKey(name);
  const out: string[] = [];
  for (const field of readHeader(header, 0, header.length).fields) {
    if (wanted !== '*' && field.key !== wanted) continue;
    out.push(decodeEncodedWords(field.value.replace(/\r?\n/g, '')));
  }
  return out;
}

/**
 * The values of an address field (From, To, Cc, Bcc) as SEARCH matches them: each address
 * written again from its parts, comments and quoting gone, as Dovecot's
 * `message_address_write` does before searching (`ann (office) @ example.org` → `ann@example.org`,
 * `"Ann" <ann@example.org>` → `Ann <ann@example.org>`, groups as `name: …;`).
 */
export function addressHeader(header: Buffer, name: string): string[] {
  const wanted = fieldKey(name);
  const out: string[] = [];
  for (const field of readHeader(header, 0, header.length).fields) {
    if (field.key !== wanted) continue;
    const addresses = parseAddressList(field.value.replace(/\r?\n/g, ''));
    out.push(decodeEncodedWords(addresses ? writeAddresses(addresses) : ''));
  }
  return out;
}

function writeAddresses(addresses: readonly Address[]): string {
  const parts: string[] = [];
  let inGroup = false;
  for (const a of addresses) {
    if (a.domain === null) {
      parts.push(inGroup ? ';' : `${parts.length ? ', ' : ''}${a.mailbox ?? ''}: `);
      inGroup = !inGroup;
      continue;
    }
    const spec = `${a.mailbox ?? ''}@${a.domain}`;
    const text =
      a.name || a.route
        ? `${a.name ? `${a.name} ` : ''}<${a.route ? `${a.route}:` : ''}${spec}>`
        : spec;
    const last = parts.at(-1);
    parts.push(last === undefined || last.endsWith(': ') ? text : `, ${text}`);
  }
  return parts.join('');
}

/**
 * The decoded text of every text/* part (also inside message/rfc822 parts), joined by LF.
 * Headers are not body text, not even an attached message's (as in Dovecot's BODY).
 */
export function bodyText(message: Buffer, root: BodyPart): string {
  return bodyTexts(message, root).join('\n');
}

/** The decoded text of each text/* part, in order (what `bodyText` joins). */
export function bodyTexts(message: Buffer, root: BodyPart): string[] {
  const texts: string[] = [];
  const visit = (part: BodyPart): void => {
    if (part.kind === 'multipart') part.children.forEach(visit);
    else if (part.kind === 'message' && part.message) visit(part.message.body);
    else if (part.kind === 'text')
      texts.push(partText(message.subarray(part.bodyStart, part.bodyEnd), part));
  };
  visit(root);
  return texts;
}

/**
 * Every header in the message (its own, each MIME part's, each attached message's) as
 * `Name: value` lines with RFC 2047 words decoded: what TEXT searches besides the body text.
 * Encoded words are matched decoded only, as in Dovecot.
 */
export function allHeaderText(message: Buffer, root: BodyPart): string {
  const lines: string[] = [];
  const visit = (part: BodyPart): void => {
    for (const field of readHeader(message, part.headerStart, part.bodyStart).fields)
      lines.push(`${field.name}: ${decodeEncodedWords(field.value.replace(/\r?\n/g, ''))}`);
    if (part.kind === 'multipart') part.children.forEach(visit);
    else if (part.kind === 'message' && part.message) visit(part.message.body);
  };
  visit(root);
  return lines.join('\n');
}

function partText(body: Buffer, part: BodyPart): string {
  const encoding = part.encoding.toLowerCase();
  const bytes =
    encoding === 'base64'
      ? decodeBase64(body.toString('latin1'))
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintableBytes(body)
        : body;
  const charset = part.params.find(([key]) => key.toLowerCase() === 'charset')?.[1] ?? 'us-ascii';
  return decodeCharset(bytes, charset.toLowerCase() === 'us-ascii' ? 'utf-8' : charset);
}

/** Unicode case folding close to Dovecot's i;unicode-casemap: decomposed, then case-folded. */
export function fold(s: string): string {
  return s.normalize('NFKD').toUpperCase().toLowerCase();
}

/**
 * `fold` of each lower-case Latin-1 character, by code. On Latin-1 text `fold` works
 * character by character: every Latin-1 character is a starter whose decomposition cannot
 * reorder with its neighbours, and none folds to a Greek sigma (the one context-dependent
 * case mapping). Lower-casing first keeps Latin-1 text in Latin-1 and does not change the
 * fold (the unit test checks all 256).
 */
const LATIN1_FOLD = Array.from({ length: 256 }, (_, code) => fold(String.fromCharCode(code)));
const LATIN1_TEXT = /^[\x00-\xff]*$/;
const NON_ASCII = /[\x80-\xff]/g;

function foldLatin1(s: string): string {
  return s.toLowerCase().replace(NON_ASCII, (c) => LATIN1_FOLD[c.charCodeAt(0)]!);
}

/**
 * The same as `fold`, several times faster on mail text: ASCII text (most mail) only needs
 * lower-casing (its NFKD is itself); a line end is a boundary for both normalization and
 * case mapping, so lines fold independently, and Latin-1 lines through a table; only other
 * lines take the full path.
 */
export function foldText(s: string): string {
  if (isAscii(s)) return s.toLowerCase();
  if (LATIN1_TEXT.test(s)) return foldLatin1(s);
  return s
    .split('\n')
    .map((line) => (LATIN1_TEXT.test(line) ? foldLatin1(line) : fold(line)))
    .join('\n');
}

let lastNeedle: [string, string] = ['', ''];

/** `fold` of a search string, kept for the next call (one search asks for it per message). */
export function foldNeedle(needle: string): string {
  if (lastNeedle[0] !== needle) lastNeedle = [needle, fold(needle)];
  return lastNeedle[1];
}

const latin1 = new Latin1Patterns(LATIN1_FOLD);

/**
 * Case-insensitive substring match (RFC 3501 §6.4.4: "case-insensitive substring"): whether
 * `fold(haystack)` contains `fold(needle)`. ASCII text is only lower-cased, and Latin-1 text
 * is scanned without being folded (`latin1-pattern.ts`); other text is folded.
 */
export function containsText(haystack: string, needle: string): boolean {
  const folded = foldNeedle(needle);
  // A needle that folds to a line end could match across lines: fold the text whole.
  if (folded.includes('\n')) return fold(haystack).includes(folded);
  if (isAscii(haystack)) return haystack.toLowerCase().includes(folded);
  return latin1.contains(haystack, folded) ?? foldText(haystack).includes(folded);
}

/** Every character outside ASCII takes two or more octets in UTF-8: a native count. */
function isAscii(s: string): boolean {
  return Buffer.byteLength(s, 'utf8') === s.length;
}

/**
 * Text for SEARCH, decoded the way a reader sees it: header values with RFC 2047 encoded words
 * decoded, bodies of text/* parts with their transfer encoding (RFC 2045 §6) and charset undone.
 * Comparison is case-insensitive over Unicode case folding.
 */
import { TextDecoder } from 'node:util';
import { parseHeader, unfold } from './header.js';
import type { BodyPart } from './structure.js';

/** Decoded values of every field with this name ('*' for all fields). */
export function decodedHeader(header: Buffer, name: string): string[] {
  const lower = name.toLowerCase();
  return parseHeader(header)
    .filter((f) => name === '*' || f.name.toLowerCase() === lower)
    .map((f) => decodeWords(unfold(f.raw)));
}

/** RFC 2047: `=?charset?B|Q?text?=`; whitespace between adjacent encoded words is dropped. */
export function decodeWords(value: string): string {
  const raw = Buffer.from(value, 'latin1');
  const text = utf8OrLatin1(raw);
  return text
    .replace(/(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g, '$1')
    .replace(
      /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g,
      (whole, charset: string, kind: string, data: string) => {
        const bytes =
          kind.toUpperCase() === 'B'
            ? Buffer.from(data, 'base64')
            : Buffer.from(
                data
                  .replace(/_/g, ' ')
                  .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) =>
                    String.fromCharCode(parseInt(h, 16)),
                  ),
                'latin1',
              );
        return decodeCharset(bytes, charset.split('*')[0]!) ?? whole;
      },
    );
}

/**
 * The decoded body text, as BODY and TEXT search it: every text/* leaf part, and the headers
 * of attached messages as they are written (part of the outer body; Dovecot does not decode
 * their MIME words there).
 */
export function bodyText(message: Buffer, root: BodyPart): string {
  const out: string[] = [];
  const visit = (part: BodyPart): void => {
    if (part.children.length) part.children.forEach(visit);
    else if (part.message) {
      const inner = part.message.body;
      out.push(utf8OrLatin1(message.subarray(inner.headerStart, inner.bodyStart)));
      visit(inner);
    } else if (part.type.toLowerCase() === 'text') out.push(decodePart(message, part));
  };
  visit(root);
  return out.join('\n');
}

function decodePart(message: Buffer, part: BodyPart): string {
  const body = message.subarray(part.bodyStart, part.bodyEnd);
  const encoding = part.encoding.toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body)
        : body;
  const charset = part.params.find(([k]) => k.toLowerCase() === 'charset')?.[1] ?? 'us-ascii';
  return decodeCharset(bytes, charset) ?? utf8OrLatin1(bytes);
}

export function decodeQuotedPrintable(body: Buffer): Buffer {
  const text = body.toString('latin1').replace(/=\r?\n/g, '');
  return Buffer.from(
    text.replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  );
}

function decodeCharset(bytes: Buffer, charset: string): string | undefined {
  const name = charset.trim().toLowerCase();
  if (name === 'us-ascii' || name === 'ascii') return utf8OrLatin1(bytes);
  try {
    return new TextDecoder(name).decode(bytes);
  } catch {
    return undefined;
  }
}

/** UTF-8 when the bytes are valid UTF-8 (8-bit headers usually are), else Latin-1. */
function utf8OrLatin1(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** Case-insensitive substring match over Unicode case folding (i;unicode-casemap, roughly). */
export function containsText(haystack: string, needle: string): boolean {
  const fold = (s: string): string => s.normalize('NFC').toLowerCase().replace(/\s+/g, ' ');
  return fold(haystack).includes(fold(needle));
}

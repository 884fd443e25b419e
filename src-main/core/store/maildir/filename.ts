/**
 * Maildir file names: `<base>[,S=<size>][,W=<vsize>]:2,<flags>` (cr.yp.to/proto/maildir.html,
 * with Dovecot's S= and W= size fields). Flags are sorted ASCII letters: the upper-case ones are
 * system flags, `a`–`z` index into `dovecot-keywords`.
 */
import type { SystemFlag } from '../types.js';

const LETTER_TO_FLAG: Readonly<Record<string, SystemFlag>> = {
  D: '\\Draft',
  F: '\\Flagged',
  R: '\\Answered',
  S: '\\Seen',
  T: '\\Deleted',
};
const FLAG_TO_LETTER = new Map<string, string>(
  Object.entries(LETTER_TO_FLAG).map(([letter, flag]) => [flag.toLowerCase(), letter]),
);

export interface ParsedName {
  /** The part before `:2,`, which the uidlist records and which never changes. */
  readonly base: string;
  /** Every flag letter after `:2,` in file order (system, unknown and keyword letters). */
  readonly letters: string;
  /** `S=`: the file's size on disk, when the writer recorded it. */
  readonly fileSize?: number;
  /** `W=`: the size with CRLF line ends, when the writer recorded it. */
  readonly wireSize?: number;
}

/** The part of a file name before `:2,` (what the uidlist records). */
export function baseOf(fileName: string): string {
  const colon = fileName.indexOf(':2,');
  return colon === -1 ? fileName : fileName.slice(0, colon);
}

/** The flag letters after `:2,`, as written. */
export function lettersOf(fileName: string): string {
  const colon = fileName.indexOf(':2,');
  return colon === -1 ? '' : fileName.slice(colon + 3);
}

export function parseName(fileName: string): ParsedName {
  const colon = fileName.indexOf(':2,');
  const base = colon === -1 ? fileName : fileName.slice(0, colon);
  const letters = colon === -1 ? '' : fileName.slice(colon + 3);
  const fileSize = sizeField(base, 'S');
  const wireSize = sizeField(base, 'W');
  return {
    base,
    letters,
    ...(fileSize !== undefined && { fileSize }),
    ...(wireSize !== undefined && { wireSize }),
  };
}

const SIZE_FIELDS = { S: /,S=(\d{1,15})(?=,|$)/, W: /,W=(\d{1,15})(?=,|$)/ };

function sizeField(base: string, key: 'S' | 'W'): number | undefined {
  const match = SIZE_FIELDS[key].exec(base);
  return match ? Number(match[1]) : undefined;
}

/** Splits flag letters into IMAP system flags, keyword indexes and letters we keep untouched. */
export function lettersToFlags(letters: string): {
  system: SystemFlag[];
  keywordIndexes: number[];
  other: string;
} {
  const system: SystemFlag[] = [];
  const keywordIndexes: number[] = [];
  let other = '';
  for (const ch of new Set(letters)) {
    const flag = LETTER_TO_FLAG[ch];
    if (flag) system.push(flag);
    else if (ch >= 'a' && ch <= 'z') keywordIndexes.push(ch.charCodeAt(0) - 97);
    else if (ch >= 'A' && ch <= 'Z') other += ch; // e.g. P (passed): preserved, not shown
  }
  return { system, keywordIndexes, other };
}

/** The letter for an IMAP system flag, or undefined for keywords. Case-insensitive (RFC 3501 §2.3.2). */
export function systemFlagLetter(flag: string): string | undefined {
  return FLAG_TO_LETTER.get(flag.toLowerCase());
}

/** Builds `<base>:2,<letters>` with the letters in ASCII order, as the Maildir spec asks. */
export function formatName(base: string, letters: Iterable<string>): string {
  const sorted = [...new Set(letters)].sort().join('');
  return `${base}:2,${sorted}`;
}

/** The time part of a Maildir base name, for ordering new files the way they arrived. */
export function arrivalKey(base: string): [number, string] {
  const match = /^(\d+)\.(?:[^.]*?M(\d+))?/.exec(base);
  if (!match) return [Number.MAX_SAFE_INTEGER, base];
  const seconds = Number(match[1]);
  const micros = match[2] ? Number(match[2]) : 0;
  return [seconds * 1e6 + micros, base];
}

/**
 * Mailbox names. The store speaks Unicode names with `/` as the hierarchy separator; IMAP
 * carries them in modified UTF-7 (RFC 3501 §5.1.3) unless UTF8=ACCEPT is enabled, and
 * Maildir++ stores each folder as `.<mUTF-7 name with . between levels>`.
 */
import { StoreError } from './errors.js';

export const HIERARCHY_SEPARATOR = '/';
/** A mailbox name, in UTF-16 code units, before any encoding (Dovecot allows 255 per level). */
export const MAX_MAILBOX_NAME_CHARS = 512;
/** A Maildir++ folder is one directory entry: NAME_MAX, 255 bytes on every common file system. */
export const MAX_FOLDER_NAME_BYTES = 255;

export function encodeModifiedUtf7(name: string): string {
  let out = '';
  let pending = '';
  const flush = (): void => {
    if (!pending) return;
    const utf16 = Buffer.alloc(pending.length * 2);
    for (let i = 0; i < pending.length; i++) utf16.writeUInt16BE(pending.charCodeAt(i), i * 2);
    out += '&' + utf16.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-';
    pending = '';
  };
  for (const ch of name) {
    const code = ch.codePointAt(0)!;
    if (code >= 0x20 && code <= 0x7e) {
      flush();
      out += ch === '&' ? '&-' : ch;
    } else {
      pending += ch; // astral characters arrive as their surrogate pair, as RFC 2152 wants
    }
  }
  flush();
  return out;
}

/** Decodes modified UTF-7; throws INVALID_NAME on anything RFC 3501 §5.1.3 does not allow. */
export function decodeModifiedUtf7(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) throw invalid(text, 'contains a byte outside printable ASCII');
    if (ch !== '&') {
      out += ch;
      continue;
    }
    const end = text.indexOf('-', i + 1);
    if (end === -1) throw invalid(text, 'has an unterminated "&" sequence');
    const encoded = text.slice(i + 1, end);
    i = end;
    if (encoded === '') {
      out += '&';
      continue;
    }
    out += decodeShifted(text, encoded);
  }
  return out;
}

function decodeShifted(whole: string, encoded: string): string {
  if (!/^[A-Za-z0-9+,]+$/.test(encoded)) throw invalid(whole, 'has a bad base64 sequence');
  const bytes = Buffer.from(encoded.replace(/,/g, '/'), 'base64');
  if (bytes.length % 2 !== 0 || bytes.length === 0) throw invalid(whole, 'has a bad UTF-16 run');
  let decoded = '';
  for (let j = 0; j < bytes.length; j += 2) decoded += String.fromCharCode(bytes.readUInt16BE(j));
  // RFC 3501: printable ASCII must not be encoded; a broken surrogate pair is not a character.
  if (/[\x20-\x7e]/.test(decoded)) throw invalid(whole, 'encodes printable ASCII');
  if (!decoded.isWellFormed()) throw invalid(whole, 'has a broken surrogate pair');
  return decoded;
}

function invalid(name: string, why: string): StoreError {
  return new StoreError('INVALID_NAME', `Mailbox name "${name}" ${why}`);
}

/** The name is not repeated: it may be long enough to drown the message. */
function tooLong(name: string): StoreError {
  return new StoreError(
    'INVALID_NAME',
    `Mailbox name is too long (${name.length} characters): choose a shorter name`,
  );
}

/**
 * Splits a Unicode mailbox name into its levels, refusing anything that could leave the
 * Maildir or that Maildir++ cannot store.
 */
export function mailboxLevels(name: string): string[] {
  if (name.length === 0) throw invalid(name, 'is empty');
  if (name.length > MAX_MAILBOX_NAME_CHARS) throw tooLong(name);
  const levels = name.split(HIERARCHY_SEPARATOR);
  for (const level of levels) {
    if (level === '' || level === '.' || level === '..')
      throw invalid(name, 'has an empty or dot level');
    if (level.includes('.')) throw invalid(name, 'contains "." (Maildir++ uses it between levels)');
    if (/[\\\0-\x1f\x7f]/.test(level)) throw invalid(name, 'contains a control character or "\\"');
  }
  return levels;
}

export function isInbox(name: string): boolean {
  return name.toUpperCase() === 'INBOX';
}

/**
 * `Archive/2024` → `.Archive.2024`; INBOX → '' (the Maildir root). The whole hierarchy is one
 * directory entry, so a name whose encoding passes NAME_MAX is refused here, as a name the
 * client can change, rather than failing later in the file system (ENAMETOOLONG).
 */
export function maildirFolderName(name: string): string {
  if (isInbox(name)) return '';
  const levels = mailboxLevels(name);
  if (isInbox(levels[0]!)) levels[0] = 'INBOX';
  const folder = '.' + levels.map(encodeModifiedUtf7).join('.');
  if (Buffer.byteLength(folder) > MAX_FOLDER_NAME_BYTES) throw tooLong(name);
  return folder;
}

/**
 * One level of a folder name on disk as Unicode. Dovecot and Courier write modified UTF-7;
 * procmail and maildrop write whatever the user typed (`.Büro`, `.Familie & Freunde`). A level
 * that is not valid modified UTF-7 is read as UTF-8, as Dovecot's `mailbox_list_default_get_vname`
 * does; undefined when it is neither (bytes that are not UTF-8, control characters).
 */
export function folderLevelName(level: string): string | undefined {
  if (level === '') return undefined;
  try {
    return decodeModifiedUtf7(level);
  } catch {
    if (/[\\\x00-\x1f\x7f\ufffd]/.test(level) || !level.isWellFormed()) return undefined;
    return level;
  }
}

/**
 * `.Archive.2024` → `Archive/2024`, or undefined if the folder is not a Maildir++ folder whose
 * levels are modified UTF-7 or UTF-8 (see `folderLevelName`).
 */
export function mailboxNameFromFolder(folder: string): string | undefined {
  if (!folder.startsWith('.') || folder === '.' || folder === '..') return undefined;
  const levels = folder.slice(1).split('.').map(folderLevelName);
  if (levels.some((l) => l === undefined)) return undefined;
  return levels.join(HIERARCHY_SEPARATOR);
}

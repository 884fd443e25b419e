/**
 * Writing new message files the Maildir way: a unique name, the bytes into tmp/, fsync, then a
 * rename into new/ (a delivery) or cur/ (APPEND, COPY), then fsync of the folder.
 */
import { copyFile, link, open, rename, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { toCrlf } from '../crlf.js';
import { storeErrorFromFs } from '../errors.js';
import { syncDirectory } from '../../util/atomic-file.js';
import { maildirHostname } from './dotlock.js';
import { formatName } from './filename.js';

let deliveryCounter = 0;

/** A unique Maildir base name: `<sec>.M<usec>P<pid>Q<n>.<host>,S=<size>,W=<wire size>`. */
export function uniqueBaseName(fileSize: number, wireSize: number, now = Date.now()): string {
  const seconds = Math.floor(now / 1000);
  deliveryCounter += 1;
  // Increasing within a millisecond too, so files written in a row get UIDs in that order.
  const micros = (now % 1000) * 1000 + (deliveryCounter % 1000);
  return `${seconds}.M${micros}P${process.pid}Q${deliveryCounter}.${maildirHostname()},S=${fileSize},W=${wireSize}`;
}

export interface NewFile {
  /** new/ for a message without flags (it is \\Recent for the next session, as in Dovecot), else cur/. */
  /** Bytes to write, or an existing file to link (or copy) from. */
  readonly source:
    | { readonly bytes: Buffer }
    | { readonly path: string; readonly fileSize: number; readonly wireSize: number };
  readonly into: 'new' | 'cur';
  /** Flag letters for cur/ (`:2,<letters>`). */
  readonly letters?: string;
  readonly mtime?: Date;
}

/** Writes one message file; returns its base name. Nothing is left in tmp/ on failure. */
export async function writeMessageFile(folderPath: string, file: NewFile): Promise<string> {
  const { source } = file;
  const base =
    'bytes' in source
      ? uniqueBaseName(source.bytes.length, toCrlf(source.bytes).length)
      : uniqueBaseName(source.fileSize, source.wireSize);
  const temp = join(folderPath, 'tmp', base);
  try {
    if ('bytes' in source) await writeSynced(temp, source.bytes);
    else await link(source.path, temp).catch(() => copyFile(source.path, temp));
    if (file.mtime) await utimes(temp, file.mtime, file.mtime);
    // Flags go in the name in new/ too (Dovecot and mutt read them there), so an APPEND or COPY
    // with flags stays \Recent until a session claims it (RFC 3501 §6.3.11, §6.4.7).
    const name = file.letters || file.into === 'cur' ? formatName(base, file.letters ?? '') : base;
    await rename(temp, join(folderPath, file.into, name));
    await syncDirectory(join(folderPath, file.into));
    return base;
  } catch (err) {
    await rm(temp, { force: true });
    throw storeErrorFromFs(err, 'writing a message');
  }
}

async function writeSynced(path: string, bytes: Buffer): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** tmp/ → fsync → new/, as a delivery agent writes. Returns the base name. */
export function deliverFile(folderPath: string, message: Buffer): Promise<string> {
  return writeMessageFile(folderPath, { source: { bytes: message }, into: 'new' });
}

/**
 * Serves a list of messages from Debian's Dovecot and returns, per message, the FETCH items
 * Dovecot sent (exact bytes as latin1 strings) next to the ones Mailport's MIME module and
 * formatters produce for the same file.
 */
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toCrlf } from '../../../src-main/core/store/crlf.js';
import { envelopeOf } from '../../../src-main/core/mime/envelope.js';
import { headerFields } from '../../../src-main/core/mime/header-fields.js';
import { findPart, parseMessage } from '../../../src-main/core/mime/structure.js';
import { formatBodyStructure } from '../../../src-main/core/imap/format/bodystructure.js';
import { formatEnvelope } from '../../../src-main/core/imap/format/envelope.js';
import { startDovecot } from '../../helpers/dovecot.js';
import { fetchItems, RawImap } from './imap-raw.js';

export const FIELDS = ['FROM', 'TO', 'SUBJECT', 'DATE', 'MESSAGE-ID'];
export const FETCH_ITEMS = `UID ENVELOPE BODYSTRUCTURE BODY BODY.PEEK[HEADER.FIELDS (${FIELDS.join(' ')})] BODY.PEEK[1.MIME] RFC822.SIZE`;

export interface Compared {
  readonly index: number;
  readonly uid: number;
  readonly theirs: ReadonlyMap<string, string>;
  readonly ours: ReadonlyMap<string, string>;
}

/** What Mailport answers for these items of one stored file. */
export function ourItems(file: Buffer): Map<string, string> {
  const wire = toCrlf(file);
  const root = parseMessage(wire);
  const header = wire.subarray(root.headerStart, root.bodyStart);
  const mime = findPart(root, [1]);
  const literal = (b: Buffer): string => {
    const s = b.toString('latin1').replace(/\0/g, '\x80'); // Dovecot sends NUL as 0x80
    return `{${s.length}}\r\n${s}`;
  };
  return new Map([
    ['ENVELOPE', formatEnvelope(envelopeOf(header))],
    ['BODYSTRUCTURE', formatBodyStructure(root, true)],
    ['BODY', formatBodyStructure(root, false)],
    [`BODY[HEADER.FIELDS (${FIELDS.join(' ')})]`, literal(headerFields(header, FIELDS, false))],
    [
      'BODY[1.MIME]',
      literal(mime ? wire.subarray(mime.headerStart, mime.bodyStart) : Buffer.alloc(0)),
    ],
    ['RFC822.SIZE', String(wire.length)],
  ]);
}

/** Writes the files into a Maildir, lets Dovecot serve it and compares every item. */
export async function compareWithDovecot(files: readonly Buffer[]): Promise<Compared[]> {
  const work = await mkdtemp(join(tmpdir(), 'mailport-mime-'));
  await chmod(work, 0o755);
  const maildir = join(work, 'Maildir');
  for (const sub of ['cur', 'new', 'tmp']) await mkdir(join(maildir, sub), { recursive: true });
  const names = files.map((_, i) => `${1_700_000_000 + i}.M${i}P1.mime`);
  for (const [i, file] of files.entries())
    await writeFile(join(maildir, 'cur', `${names[i]}:2,`), file);
  const dovecot = await startDovecot(maildir);
  try {
    const imap = await RawImap.connect(dovecot.imapPort);
    try {
      await imap.command('l', `LOGIN ${dovecot.user} ${dovecot.password}`);
      await imap.command('s', 'EXAMINE INBOX');
      const { untagged, tagged } = await imap.command('f', `UID FETCH 1:* (${FETCH_ITEMS})`);
      if (!tagged.startsWith('f OK')) throw new Error(`FETCH failed: ${tagged}`);
      const byName = await uidsByName(maildir);
      return untagged.map((response) => {
        const theirs = fetchItems(response);
        const uid = Number(theirs.get('UID'));
        theirs.delete('UID');
        const index = names.indexOf(byName.get(uid) ?? '');
        return { index, uid, theirs, ours: ourItems(files[index]!) };
      });
    } finally {
      imap.close();
    }
  } finally {
    await dovecot.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/** `dovecot-uidlist`: a header line, then `<uid> [ext…] :<basename>` per message. */
async function uidsByName(maildir: string): Promise<Map<number, string>> {
  const text = await readFile(join(maildir, 'dovecot-uidlist'), 'utf8');
  const map = new Map<number, string>();
  for (const line of text.split('\n').slice(1)) {
    const m = /^(\d+)\b.*? :(.+)$/.exec(line);
    if (m) map.set(Number(m[1]), m[2]!);
  }
  return map;
}

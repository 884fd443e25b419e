/**
 * The `dovecot-uidlist` file, version 3 (and reading version 1), so a Maildir that Dovecot served
 * keeps its UIDs:
 *
 *   3 V<uidvalidity> N<next uid> [G<guid>] [other header fields]
 *   <uid> [<ext><value> ...] :<base name>
 *
 * Record extensions (S=, W=, G…) are kept as they were read and written back unchanged.
 */

export interface UidRecord {
  readonly uid: number;
  readonly base: string;
  /** Extension fields as written, e.g. `W1234`, `S1200`. */
  readonly extensions: readonly string[];
}

export interface UidList {
  readonly uidValidity: number;
  readonly nextUid: number;
  /** Header fields other than V and N (G<guid> and anything newer Dovecots add). */
  readonly headerExtra: readonly string[];
  /** Records in ascending UID order. */
  readonly records: readonly UidRecord[];
}

export class UidListFormatError extends Error {
  override name = 'UidListFormatError';
}

export function parseUidList(text: string): UidList {
  const lines = text.split('\n');
  const header = lines[0]?.trim() ?? '';
  const fields = header.split(' ');
  const version = fields[0];
  let uidValidity = 0;
  let nextUid = 0;
  const headerExtra: string[] = [];
  if (version === '1') {
    uidValidity = Number(fields[1]);
    nextUid = Number(fields[2]);
  } else if (version === '3') {
    for (const field of fields.slice(1)) {
      if (field.startsWith('V')) uidValidity = Number(field.slice(1));
      else if (field.startsWith('N')) nextUid = Number(field.slice(1));
      else if (field) headerExtra.push(field);
    }
  } else {
    throw new UidListFormatError(`unsupported dovecot-uidlist version "${version ?? ''}"`);
  }
  if (!isUid(uidValidity) || !isUid(nextUid)) {
    throw new UidListFormatError(`bad dovecot-uidlist header "${header}"`);
  }
  const records: UidRecord[] = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    const record = version === '1' ? parseV1Record(line) : parseV3Record(line);
    if (!record) continue; // a damaged line loses only its UID; the file gets a fresh one
    if (records.length > 0 && record.uid <= records[records.length - 1]!.uid) continue;
    records.push(record);
  }
  const highest = records.at(-1)?.uid ?? 0;
  return { uidValidity, nextUid: Math.max(nextUid, highest + 1), headerExtra, records };
}

function parseV1Record(line: string): UidRecord | undefined {
  const space = line.indexOf(' ');
  const uid = Number(line.slice(0, space));
  const base = line.slice(space + 1);
  return space > 0 && isUid(uid) && base ? { uid, base, extensions: [] } : undefined;
}

const NO_EXTENSIONS: readonly string[] = Object.freeze([]);

function parseV3Record(line: string): UidRecord | undefined {
  const colon = line.indexOf(' :');
  if (colon <= 0) return undefined;
  if (line.indexOf(' ') === colon) {
    // The usual "<uid> :<base>", without extension fields.
    const uid = Number(line.slice(0, colon));
    const base = line.slice(colon + 2);
    return isUid(uid) && base ? { uid, base, extensions: NO_EXTENSIONS } : undefined;
  }
  const [uidText, ...extensions] = line.slice(0, colon).split(' ');
  const uid = Number(uidText);
  const base = line.slice(colon + 2);
  return isUid(uid) && base ? { uid, base, extensions: extensions.filter(Boolean) } : undefined;
}

function isUid(n: number): boolean {
  return Number.isInteger(n) && n > 0 && n <= 0xffffffff;
}

export function formatUidList(list: UidList): string {
  const header = ['3', `V${list.uidValidity}`, `N${list.nextUid}`, ...list.headerExtra].join(' ');
  const body = list.records.map((r) => [String(r.uid), ...r.extensions, `:${r.base}`].join(' '));
  return [header, ...body].join('\n') + '\n';
}

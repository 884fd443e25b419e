/**
 * The Maildir's `subscriptions` file exactly as Dovecot 2.3 reads and writes it
 * (`lib-storage/list/subscription-file.c`), so that both servers can share one Maildir:
 *
 *   V<TAB>2 LF LF            the version-2 header
 *   Work<TAB>Projects LF     one name a line, its levels separated by TAB, each level the
 *   B&APw-ro LF              storage name (modified UTF-7), TAB-escaped (\001 + 1/t/r/n)
 *
 * A file without the header is version 1: one name a line with the hierarchy separator of
 * the program that wrote it (`/` by older Mailports, `.` by Maildir++ tools). Lines this
 * module cannot read are kept as they are, so neither program drops the other's entries.
 */
import { HIERARCHY_SEPARATOR, encodeModifiedUtf7, folderLevelName } from '../mailbox-name.js';

const HEADER = 'V\t2';
const ESCAPE = '\x01';
const ESCAPES: Record<string, string> = { '1': '\x01', t: '\t', r: '\r', n: '\n' };

export interface SubscriptionEntry {
  /** The line as version 2 writes it. */
  readonly line: string;
  /** The Unicode name with `/` between levels, or undefined when the line is not readable. */
  readonly name: string | undefined;
}

export function parseSubscriptions(text: string): SubscriptionEntry[] {
  const lines = text.split('\n');
  const version2 = lines[0] === HEADER;
  const body = version2 ? lines.slice(lines[1] === '' ? 2 : 1) : lines;
  const entries: SubscriptionEntry[] = [];
  for (const line of body) {
    if (line === '') continue;
    const levels = version2 ? line.split('\t').map(unescapeLevel) : line.split(/[/.]/);
    const unicode = levels.map((l) => (l === undefined ? undefined : folderLevelName(l)));
    const readable = unicode.every((l) => l !== undefined);
    const name = readable ? unicode.join(HIERARCHY_SEPARATOR) : undefined;
    entries.push({ line: name === undefined ? line : subscriptionLine(name), name });
  }
  return entries;
}

export function formatSubscriptions(entries: readonly SubscriptionEntry[]): string {
  return `${HEADER}\n\n${entries.map((e) => `${e.line}\n`).join('')}`;
}

/** A Unicode name as its version-2 line. */
export function subscriptionLine(name: string): string {
  return name.split(HIERARCHY_SEPARATOR).map(encodeModifiedUtf7).map(escapeLevel).join('\t');
}

function escapeLevel(level: string): string {
  return level.replace(
    /[\x01\t\r\n]/g,
    (c) => `${ESCAPE}${{ '\x01': '1', '\t': 't', '\r': 'r', '\n': 'n' }[c]}`,
  );
}

function unescapeLevel(level: string): string | undefined {
  let out = '';
  for (let i = 0; i < level.length; i++) {
    if (level[i] !== ESCAPE) {
      out += level[i];
      continue;
    }
    const plain = ESCAPES[level[++i] ?? ''];
    if (plain === undefined) return undefined;
    out += plain;
  }
  return out;
}

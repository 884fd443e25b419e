/**
 * The SEARCH keys that read the message (RFC 3501 §6.4.4: SENT*, HEADER and the address and
 * subject keys, BODY, TEXT) and their NOT/OR/AND, evaluated over a `MessageText`. This is the
 * one matcher: the event loop runs it on a message it reads itself, and the scan threads run
 * it on the files they read (`scan-task.ts`), so both give the same answer. Keys answered by
 * the message's record are settled before (`evaluate.ts` `residual`) and never reach it.
 */
import { containsText, foldNeedle } from '../../mime/search-text.js';
import type { DateCompare, SearchKey } from './keys.js';
import type { MessageText } from './message-text.js';

/** The leaves are SEARCH's own; NOT/OR/AND hold only keys of this kind. */
export type FileKey =
  | Extract<SearchKey, { readonly op: 'sentdate' | 'header' | 'body' | 'text' }>
  | { readonly op: 'not'; readonly key: FileKey }
  | { readonly op: 'or'; readonly a: FileKey; readonly b: FileKey }
  | { readonly op: 'and'; readonly keys: readonly FileKey[] };

export async function matchesFile(key: FileKey, text: MessageText): Promise<boolean> {
  switch (key.op) {
    case 'sentdate':
      return compareDay(sentDay(await text.headerValues('DATE')), key.compare, key.day);
    case 'header':
      return headerMatches(await text.headerValues(key.field), key.value);
    case 'body':
      return bodyContains(await text.bodies(), key.value);
    case 'text':
      return (
        containsText(await text.headers(), key.value) ||
        bodyContains(await text.bodies(), key.value)
      );
    case 'not':
      return !(await matchesFile(key.key, text));
    case 'or':
      return (await matchesFile(key.a, text)) || (await matchesFile(key.b, text));
    case 'and':
      for (const k of key.keys) if (!(await matchesFile(k, text))) return false;
      return true;
  }
}

/**
 * Whether the body text (its text parts joined by LF) contains `needle`. Part by part, so
 * that a match in the first part needs no fold of the others; only a needle that folds to
 * something with a line end could span two parts, and that one is matched on the join.
 */
function bodyContains(parts: readonly string[], needle: string): boolean {
  if (foldNeedle(needle).includes('\n')) return containsText(parts.join('\n'), needle);
  return parts.some((part) => containsText(part, needle));
}

export function headerMatches(values: readonly string[], wanted: string): boolean {
  return wanted === '' ? values.length > 0 : values.some((v) => containsText(v, wanted));
}

export function compareDay(day: number, compare: DateCompare, target: number): boolean {
  if (compare === 'before') return day < target;
  if (compare === 'on') return day === target;
  return day >= target;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * The first Date: header's calendar day in its own zone (RFC 3501 ignores time and zone). A
 * missing or unreadable Date counts as 1 January 1970, as in Dovecot.
 */
function sentDay([value]: readonly string[]): number {
  const m = value && /(\d{1,2})\s+([A-Za-z]{3})\w*\s+(\d{2,4})/.exec(value);
  if (m) {
    const year = Number(m[3]!.length === 2 ? (Number(m[3]) < 50 ? '20' : '19') + m[3] : m[3]);
    const month = MONTHS.indexOf(m[2]!.toLowerCase());
    if (month !== -1) return Date.UTC(year, month, Number(m[1]));
  }
  return 0;
}

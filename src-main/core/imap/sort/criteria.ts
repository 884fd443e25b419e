/**
 * SORT criteria (RFC 5256 §3, and DISPLAYFROM/DISPLAYTO of RFC 5957 §3): parsing the list and comparing two messages by it. Ties left
 * by every criterion go by sequence number (§3: "the sequence number … is used as the
 * final tie-breaker"); REVERSE reverses only the criterion it precedes.
 */
import { ArgumentError, astring } from '../args.js';
import type { MessageRecord } from '../../store/types.js';
import type { Token } from '../parser.js';
import type { MessageFacts } from './message-facts.js';
import { compareText } from './sort-text.js';

const KEYS = [
  'ARRIVAL',
  'CC',
  'DATE',
  'FROM',
  'SIZE',
  'SUBJECT',
  'TO',
  'DISPLAYFROM', // RFC 5957
  'DISPLAYTO',
] as const;
type SortKey = (typeof KEYS)[number];

export interface SortCriterion {
  readonly key: SortKey;
  readonly reverse: boolean;
}

/** What a criterion compares: the message's record and its header facts. */
export interface SortItem {
  readonly seq: number;
  readonly uid: number;
  readonly record: MessageRecord;
  readonly facts: MessageFacts;
}

/**
 * sort-criteria = "(" sort-criterion *(SP sort-criterion) ")", read as Dovecot reads it:
 * each REVERSE toggles the direction of the next key, a key already given is skipped (its
 * REVERSE then carries over to the next key; the first mention decides the order anyway),
 * and the list must not end with REVERSE.
 */
export function parseCriteria(token: Token | undefined): SortCriterion[] {
  if (token?.type !== 'list') throw new ArgumentError('Invalid sort argument');
  if (token.items.length === 0) throw new ArgumentError('Empty sort program');
  const out: SortCriterion[] = [];
  let reverse = false;
  for (const item of token.items) {
    const word = astring(item)?.toUpperCase();
    if (word === undefined) throw new ArgumentError('Invalid sort list argument');
    if (word === 'REVERSE') {
      reverse = !reverse;
      continue;
    }
    if (!(KEYS as readonly string[]).includes(word))
      throw new ArgumentError(`Unknown sort argument: ${word}`);
    if (out.some((c) => c.key === word)) continue;
    out.push({ key: word as SortKey, reverse });
    reverse = false;
  }
  const last = token.items.at(-1);
  if (last && astring(last)?.toUpperCase() === 'REVERSE')
    throw new ArgumentError('Sort list ends with REVERSE');
  return out;
}

export function compareItems(criteria: readonly SortCriterion[], a: SortItem, b: SortItem): number {
  for (const c of criteria) {
    const order = compareBy(c.key, a, b);
    if (order !== 0) return c.reverse ? -order : order;
  }
  return a.seq - b.seq;
}

function compareBy(key: SortKey, a: SortItem, b: SortItem): number {
  switch (key) {
    case 'ARRIVAL':
      return Math.sign(
        seconds(a.record.internalDate.getTime()) - seconds(b.record.internalDate.getTime()),
      );
    case 'DATE':
      return Math.sign(sentDate(a) - sentDate(b));
    case 'SIZE':
      return Math.sign(a.record.size - b.record.size);
    case 'SUBJECT':
      return compareText(a.facts.subject ?? '', b.facts.subject ?? '');
    case 'FROM':
    case 'TO':
    case 'CC': {
      const field = key === 'FROM' ? 'from' : key === 'TO' ? 'to' : 'cc';
      return compareText(a.facts[field], b.facts[field]);
    }
    case 'DISPLAYFROM':
      return compareText(a.facts.displayFrom, b.facts.displayFrom);
    case 'DISPLAYTO':
      return compareText(a.facts.displayTo, b.facts.displayTo);
  }
}

/**
 * The sent date (RFC 5256 §2.2), in whole seconds as Dovecot keeps it; the INTERNALDATE when
 * the Date field is missing or unreadable.
 */
export function sentDate(item: SortItem): number {
  const sent = item.facts.sentDate;
  const ms = sent === null || sent === 0 ? item.record.internalDate.getTime() : sent;
  return seconds(ms);
}

const MS_PER_SECOND = 1000;
const seconds = (ms: number): number => Math.floor(ms / MS_PER_SECOND);

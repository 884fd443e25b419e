/**
 * SEARCH keys (RFC 3501 §6.4.4) as a typed tree, parsed from tokens. A list of keys means AND.
 * NOT and OR nest without parentheses, so the parser's list depth does not bound them: the
 * depth of keys inside keys is counted here (MAX_SEARCH_KEY_DEPTH), a deeper search is the
 * client's mistake (BAD), and nothing that walks the tree can run out of stack.
 */
import { ArgumentError } from '../args.js';
import { MAX_SEARCH_KEY_DEPTH } from '../limits.js';
import { quoteInput } from '../../net/client-text.js';
import { parseDate } from '../date-time.js';
import type { Token } from '../parser.js';
import { parseSequenceSet, type SequenceSet } from '../sequence-set.js';
import { modseqArg } from '../condstore.js';

export type DateCompare = 'before' | 'on' | 'since';

export type SearchKey =
  | { readonly op: 'all' }
  | { readonly op: 'flag'; readonly flag: string; readonly present: boolean }
  | { readonly op: 'recent'; readonly present: boolean }
  | { readonly op: 'new' }
  | { readonly op: 'seq'; readonly set: SequenceSet }
  | { readonly op: 'uid'; readonly set: SequenceSet }
  | { readonly op: 'size'; readonly larger: boolean; readonly octets: number }
  | { readonly op: 'modseq'; readonly min: number }
  | { readonly op: 'internaldate'; readonly compare: DateCompare; readonly day: number }
  | { readonly op: 'sentdate'; readonly compare: DateCompare; readonly day: number }
  | { readonly op: 'header'; readonly field: string; readonly value: string }
  | { readonly op: 'body'; readonly value: string }
  | { readonly op: 'text'; readonly value: string }
  | { readonly op: 'not'; readonly key: SearchKey }
  | { readonly op: 'or'; readonly a: SearchKey; readonly b: SearchKey }
  | { readonly op: 'and'; readonly keys: readonly SearchKey[] };

const FLAG_KEYS: Readonly<Record<string, [string, boolean]>> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};
const ADDRESS_KEYS = new Set(['BCC', 'CC', 'FROM', 'TO', 'SUBJECT']);
const DATE_KEYS: Readonly<Record<string, ['internaldate' | 'sentdate', DateCompare]>> = {
  BEFORE: ['internaldate', 'before'],
  ON: ['internaldate', 'on'],
  SINCE: ['internaldate', 'since'],
  SENTBEFORE: ['sentdate', 'before'],
  SENTON: ['sentdate', 'on'],
  SENTSINCE: ['sentdate', 'since'],
};

/** Parses the keys after any CHARSET; `text` decodes a string argument in the search charset. */
export function parseSearchKeys(
  tokens: readonly Token[],
  text: (t: Token | undefined) => string,
  depth = 0,
): SearchKey {
  const reader = { tokens, index: 0 };
  const keys: SearchKey[] = [];
  while (reader.index < tokens.length) keys.push(parseKey(reader, text, depth));
  if (keys.length === 0) throw new ArgumentError('Missing search criteria');
  return keys.length === 1 ? keys[0]! : { op: 'and', keys };
}

interface Reader {
  readonly tokens: readonly Token[];
  index: number;
}

function parseKey(r: Reader, text: (t: Token | undefined) => string, depth: number): SearchKey {
  if (depth > MAX_SEARCH_KEY_DEPTH)
    throw new ArgumentError(`Search keys nested deeper than ${MAX_SEARCH_KEY_DEPTH}`);
  const token = r.tokens[r.index++];
  if (!token) throw new ArgumentError('Missing search key');
  if (token.type === 'list') {
    if (token.items.length === 0) throw new ArgumentError('Empty search key list');
    return parseSearchKeys(token.items, text, depth + 1);
  }
  if (token.type !== 'atom') throw new ArgumentError('Expected a search key');
  const name = token.value.toUpperCase();
  const next = (): Token | undefined => r.tokens[r.index++];
  const flag = FLAG_KEYS[name];
  if (flag) return { op: 'flag', flag: flag[0], present: flag[1] };
  if (ADDRESS_KEYS.has(name)) return { op: 'header', field: name, value: text(next()) };
  const date = DATE_KEYS[name];
  if (date) return { op: date[0], compare: date[1], day: dateArg(next()) };
  switch (name) {
    case 'ALL':
      return { op: 'all' };
    case 'NEW':
      return { op: 'new' };
    case 'OLD':
      return { op: 'recent', present: false };
    case 'RECENT':
      return { op: 'recent', present: true };
    case 'KEYWORD':
    case 'UNKEYWORD':
      return { op: 'flag', flag: atomArg(next()), present: name === 'KEYWORD' };
    case 'LARGER':
    case 'SMALLER':
      return { op: 'size', larger: name === 'LARGER', octets: numberArg(next()) };
    case 'HEADER': {
      const field = text(next());
      return { op: 'header', field: field.toUpperCase(), value: text(next()) };
    }
    case 'BODY':
      return { op: 'body', value: text(next()) };
    case 'TEXT':
      return { op: 'text', value: text(next()) };
    case 'NOT':
      return { op: 'not', key: parseKey(r, text, depth + 1) };
    case 'OR':
      return { op: 'or', a: parseKey(r, text, depth + 1), b: parseKey(r, text, depth + 1) };
    case 'MODSEQ': {
      // RFC 7162 §3.1.5: MODSEQ ["/flags/…" priv|shared|all] valzer. Flags have one modseq.
      let value = next();
      if (value?.type === 'string') {
        const type = atomArg(next()).toLowerCase();
        if (!['priv', 'shared', 'all'].includes(type))
          throw new ArgumentError('Expected priv, shared or all');
        value = next();
      }
      return { op: 'modseq', min: modseqArg(value, true) };
    }
    case 'UID': {
      const set = parseSequenceSet(atomArg(next()));
      if (!set) throw new ArgumentError('Invalid UID set');
      return { op: 'uid', set };
    }
    default: {
      const set = parseSequenceSet(token.value);
      if (!set) throw new ArgumentError(`Unknown search key ${quoteInput(name)}`);
      return { op: 'seq', set };
    }
  }
}

function atomArg(token: Token | undefined): string {
  if (token?.type === 'atom') return token.value;
  if (token?.type === 'string') return token.value.toString('latin1');
  throw new ArgumentError('Missing search argument');
}

function numberArg(token: Token | undefined): number {
  const value = atomArg(token);
  if (!/^\d{1,15}$/.test(value)) throw new ArgumentError('Expected a number');
  return Number(value);
}

function dateArg(token: Token | undefined): number {
  const date = parseDate(atomArg(token));
  if (!date) throw new ArgumentError('Expected a date like 1-Feb-2024');
  return date.getTime();
}

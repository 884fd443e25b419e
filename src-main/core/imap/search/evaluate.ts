/**
 * Evaluating SEARCH keys against one message in two steps. `residual` answers every key the
 * message's record and the metadata cache can (flags, sizes, dates, numbers, cached header
 * fields) and leaves the keys that need the file, as a program of their own; `matchesFile`
 * (`file-keys.ts`) answers that program from the message's text, read here through the store
 * (`StoredMessageText`) or by a scan thread (`scan.ts`).
 */
import { localDay } from '../date-time.js';
import type { MailboxView } from '../mailbox-view.js';
import { contains, SAVED_RESULT } from '../sequence-set.js';
import { compareDay, headerMatches, matchesFile, type FileKey } from './file-keys.js';
import type { SearchKey } from './keys.js';
import { headerValuesOf, MessageText } from './message-text.js';

/** Header fields whose decoded values are cached (the address and subject keys). */
const CACHED_FIELDS = new Set(['FROM', 'TO', 'CC', 'BCC', 'SUBJECT']);
/** Part of the cache key: bump it when decoding changes, and old entries are ignored. */
const CACHE_VERSION = 2;

export interface Candidate {
  readonly uid: number;
  readonly seq: number;
}

/** A message of the selected mailbox, read through the store when a key needs it. */
export class StoredMessageText extends MessageText {
  readonly #view: MailboxView;
  readonly #uid: number;
  #message: Buffer | undefined;

  constructor(view: MailboxView, uid: number) {
    super();
    this.#view = view;
    this.#uid = uid;
  }

  async message(): Promise<Buffer> {
    return (this.#message ??= await this.#view.mailbox.readMessage(this.#uid));
  }

  protected get loaded(): Buffer | undefined {
    return this.#message;
  }

  protected override readHeader(): Promise<Buffer> {
    return this.#view.mailbox.readHeader(this.#uid);
  }

  /**
   * The values of the fields clients search all the time are kept in the metadata cache, as
   * Dovecot keeps the header fields searched in its own.
   */
  override async headerValues(field: string): Promise<string[]> {
    if (!CACHED_FIELDS.has(field)) return super.headerValues(field);
    return this.#view.mailbox.cached(this.#uid, headerCacheKey(field), async () =>
      headerValuesOf(await this.header(), field),
    );
  }
}

/**
 * What is left of `key` for this message once its record and cached facts have answered what
 * they can: true or false when they settle it, otherwise the keys that need the file (the
 * same object as the key, or a part of it, when nothing was folded away).
 */
export function residual(view: MailboxView, c: Candidate, key: SearchKey): boolean | FileKey {
  switch (key.op) {
    case 'header': {
      if (!CACHED_FIELDS.has(key.field)) return key;
      const values = view.mailbox.peekCached<string[]>(c.uid, headerCacheKey(key.field));
      return values ? headerMatches(values, key.value) : key;
    }
    case 'sentdate':
    case 'body':
    case 'text':
      return key;
    case 'not': {
      const inner = residual(view, c, key.key);
      if (typeof inner === 'boolean') return !inner;
      return inner === key.key ? (key as FileKey) : { op: 'not', key: inner };
    }
    case 'or':
      return residualOr(view, c, key);
    case 'and':
      return residualAnd(view, c, key);
    default:
      return fromRecord(view, c, key);
  }
}

function residualOr(
  view: MailboxView,
  c: Candidate,
  key: Extract<SearchKey, { op: 'or' }>,
): boolean | FileKey {
  const a = residual(view, c, key.a);
  if (a === true) return true;
  const b = residual(view, c, key.b);
  if (b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  return a === key.a && b === key.b ? (key as FileKey) : { op: 'or', a, b };
}

function residualAnd(
  view: MailboxView,
  c: Candidate,
  key: Extract<SearchKey, { op: 'and' }>,
): boolean | FileKey {
  const left: FileKey[] = [];
  let same = true;
  for (const k of key.keys) {
    const r = residual(view, c, k);
    if (r === false) return false;
    if (r === true) same = false;
    else {
      if (r !== k) same = false;
      left.push(r);
    }
  }
  if (left.length === 0) return true;
  if (same) return key as FileKey;
  return left.length === 1 ? left[0]! : { op: 'and', keys: left };
}

/** Whether one message matches `key`, reading it on the event loop when it must. */
export async function matches(view: MailboxView, c: Candidate, key: SearchKey): Promise<boolean> {
  const left = residual(view, c, key);
  return typeof left === 'boolean' || matchesFile(left, new StoredMessageText(view, c.uid));
}

type RecordKey = Exclude<
  SearchKey,
  { op: 'sentdate' | 'header' | 'body' | 'text' | 'not' | 'or' | 'and' }
>;

/** Keys answered by the message's record (flags, size, dates, numbers). */
function fromRecord(view: MailboxView, c: Candidate, key: RecordKey): boolean {
  const record = view.record(c.uid)!;
  switch (key.op) {
    case 'all':
      return true;
    case 'flag':
      return (
        [...record.flags].some((f) => f.toLowerCase() === key.flag.toLowerCase()) === key.present
      );
    case 'recent':
      return view.flags(c.uid).includes('\\Recent') === key.present;
    case 'new':
      return view.flags(c.uid).includes('\\Recent') && !record.flags.has('\\Seen');
    case 'seq':
    case 'uid':
      if (key.set === SAVED_RESULT) return view.savedResult.has(c.uid); // RFC 5182 §2.1
      if (key.op === 'uid') return contains(key.set, c.uid, view.uids.at(-1) ?? 0);
      return contains(key.set, c.seq, view.exists);
    case 'size':
      return key.larger ? record.size > key.octets : record.size < key.octets;
    case 'modseq':
      return record.modseq >= key.min;
    case 'internaldate':
      return compareDay(localDay(record.internalDate), key.compare, key.day);
  }
}

function headerCacheKey(field: string): string {
  return `search-header/${field}/${CACHE_VERSION}`;
}

/**
 * Evaluating SEARCH keys against one message. Flag, size and date keys need only the record;
 * header, body and text keys read the message (decoded MIME words, transfer encodings and
 * charsets, through the mime module).
 */
import {
  addressHeader,
  allHeaderText,
  bodyText,
  containsText,
  decodedHeader,
} from '../../mime/search-text.js';
import { parseMessage, type BodyPart } from '../../mime/structure.js';
import { localDay } from '../date-time.js';
import type { MailboxView } from '../mailbox-view.js';
import { contains, SAVED_RESULT } from '../sequence-set.js';
import type { DateCompare, SearchKey } from './keys.js';

/** Header fields whose decoded values are cached (the address and subject keys). */
const CACHED_FIELDS = new Set(['FROM', 'TO', 'CC', 'BCC', 'SUBJECT']);
/** Fields searched by their addresses, not their text (RFC 3501 §6.4.4, as Dovecot). */
const ADDRESS_FIELDS = new Set(['FROM', 'TO', 'CC', 'BCC']);
/** Part of the cache key: bump it when decoding changes, and old entries are ignored. */
const CACHE_VERSION = 2;

export interface Candidate {
  readonly uid: number;
  readonly seq: number;
}

class MessageText {
  #message: Buffer | undefined;
  #header: Buffer | undefined;
  #root: BodyPart | undefined;
  #body: string | undefined;
  #headers: string | undefined;

  constructor(
    readonly view: MailboxView,
    readonly uid: number,
  ) {}

  async message(): Promise<Buffer> {
    return (this.#message ??= await this.view.mailbox.readMessage(this.uid));
  }

  async header(): Promise<Buffer> {
    if (this.#header) return this.#header;
    if (!this.#message) return (this.#header = await this.view.mailbox.readHeader(this.uid));
    const end = this.#message.indexOf('\r\n\r\n');
    return (this.#header = end === -1 ? this.#message : this.#message.subarray(0, end + 4));
  }

  /**
   * The decoded values of a header field. Those of the fields clients search all the time
   * are kept in the metadata cache, as Dovecot keeps the header fields searched in its own.
   */
  async headerValues(field: string): Promise<string[]> {
    const read = ADDRESS_FIELDS.has(field) ? addressHeader : decodedHeader;
    if (!CACHED_FIELDS.has(field)) return read(await this.header(), field);
    return this.view.mailbox.cached(this.uid, headerCacheKey(field), async () =>
      read(await this.header(), field),
    );
  }

  async body(): Promise<string> {
    if (this.#body !== undefined) return this.#body;
    const message = await this.message();
    return (this.#body = bodyText(message, (this.#root ??= parseMessage(message))));
  }

  /** Every header of the message and of its parts, decoded (for TEXT). */
  async headers(): Promise<string> {
    if (this.#headers !== undefined) return this.#headers;
    const message = await this.message();
    return (this.#headers = allHeaderText(message, (this.#root ??= parseMessage(message))));
  }
}

/**
 * The answer when the message's record and cached facts give it, without reading the file;
 * undefined when the message must be read (`matches` then answers).
 */
export function matchesNow(view: MailboxView, c: Candidate, key: SearchKey): boolean | undefined {
  switch (key.op) {
    case 'header': {
      if (!CACHED_FIELDS.has(key.field)) return undefined;
      const values = view.mailbox.peekCached<string[]>(c.uid, headerCacheKey(key.field));
      return values && headerMatches(values, key.value);
    }
    case 'sentdate':
    case 'body':
    case 'text':
      return undefined;
    case 'not': {
      const inner = matchesNow(view, c, key.key);
      return inner === undefined ? undefined : !inner;
    }
    case 'or': {
      const a = matchesNow(view, c, key.a);
      if (a === true) return true;
      const b = matchesNow(view, c, key.b);
      return b === true ? true : a === false && b === false ? false : undefined;
    }
    case 'and': {
      let known = true;
      for (const k of key.keys) {
        const answer = matchesNow(view, c, k);
        if (answer === false) return false;
        if (answer === undefined) known = false;
      }
      return known ? true : undefined;
    }
    default:
      return fromRecord(view, c, key);
  }
}

export async function matches(
  view: MailboxView,
  candidate: Candidate,
  key: SearchKey,
): Promise<boolean> {
  return evaluate(key, view, candidate, new MessageText(view, candidate.uid));
}

async function evaluate(
  key: SearchKey,
  view: MailboxView,
  c: Candidate,
  text: MessageText,
): Promise<boolean> {
  switch (key.op) {
    case 'sentdate':
      return compareDay(await sentDay(text), key.compare, key.day);
    case 'header':
      return headerMatches(await text.headerValues(key.field), key.value);
    case 'body':
      return containsText(await text.body(), key.value);
    case 'text':
      return (
        containsText(await text.headers(), key.value) || containsText(await text.body(), key.value)
      );
    case 'not':
      return !(await evaluate(key.key, view, c, text));
    case 'or':
      return (await evaluate(key.a, view, c, text)) || (await evaluate(key.b, view, c, text));
    case 'and':
      for (const k of key.keys) if (!(await evaluate(k, view, c, text))) return false;
      return true;
    default:
      return fromRecord(view, c, key);
  }
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

function headerMatches(values: readonly string[], wanted: string): boolean {
  return wanted === '' ? values.length > 0 : values.some((v) => containsText(v, wanted));
}

function headerCacheKey(field: string): string {
  return `search-header/${field}/${CACHE_VERSION}`;
}

function compareDay(day: number, compare: DateCompare, target: number): boolean {
  if (compare === 'before') return day < target;
  if (compare === 'on') return day === target;
  return day >= target;
}

/**
 * The Date: header's calendar day in its own zone (RFC 3501 ignores time and zone). A missing
 * or unreadable Date counts as 1 January 1970, as in Dovecot.
 */
async function sentDay(text: MessageText): Promise<number> {
  const [value] = decodedHeader(await text.header(), 'DATE');
  const m = value && /(\d{1,2})\s+([A-Za-z]{3})\w*\s+(\d{2,4})/.exec(value);
  if (m) {
    const year = Number(m[3]!.length === 2 ? (Number(m[3]) < 50 ? '20' : '19') + m[3] : m[3]);
    const month = [
      'jan',
      'feb',
      'mar',
      'apr',
      'may',
      'jun',
      'jul',
      'aug',
      'sep',
      'oct',
      'nov',
      'dec',
    ].indexOf(m[2]!.toLowerCase());
    if (month !== -1) return Date.UTC(year, month, Number(m[1]));
  }
  return 0;
}

/**
 * Grammar-aware IMAP commands (RFC 3501 §9 and the extensions Mailport announces) with
 * valid-ish arguments: sequence sets, FETCH items with sections and partials, nested SEARCH
 * keys, STORE flags, mailbox names (modified UTF-7 too), quoted strings with escapes, and
 * literals, synchronising or not (RFC 7888 LITERAL+). The output is a list of segments, text or
 * literal, that `serializeImap` turns into bytes with the literal lengths written correctly;
 * `mutate.ts` then damages the bytes.
 */
import type { Prng } from './prng.js';

export type Segment = string | { readonly literal: Buffer; readonly sync: boolean };

/** Where a session stands; the generator leans towards the commands that state accepts. */
export type ImapPhase = 'not-authenticated' | 'authenticated' | 'selected';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** Mailboxes the fuzzer may create, delete and rename. The protected folder is never named. */
export const FUZZ_MAILBOXES = [
  'INBOX',
  'inbox',
  'Sent',
  'Drafts',
  'Trash',
  'Archive',
  'Archive/2024',
  'Fuzz',
  'Fuzz/Sub',
  'Fuzz/Sub/Deeper',
  'F&AOQ-r', // "Fär" in modified UTF-7 (RFC 3501 §5.1.3)
  '&ZeVnLIqe-', // 日本語
  '&Jjo', // broken modified UTF-7
  'Caf\u00e9', // raw 8-bit
  'a b',
  'quote"d',
  'back\\slash',
  '..',
  '../escape',
  'Fuzz/../..',
  '/leading',
  'trailing/',
  'dot.ted',
  '',
  'x'.repeat(300),
];

const PATTERNS = ['*', '%', 'Fuzz/*', 'Fuzz/%', '*/%', 'F*z*', '%/%/%', '*'.repeat(40), '%*%*%*'];
const FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft', '\\Recent', '$Fuzz'];
const KEYWORDS = ['$Forwarded', '$Junk', 'Work', 'x'.repeat(100), '\\Bogus'];
const FETCH_ATOMS = [
  'FLAGS',
  'UID',
  'INTERNALDATE',
  'RFC822.SIZE',
  'ENVELOPE',
  'BODYSTRUCTURE',
  'BODY',
  'RFC822',
  'RFC822.HEADER',
  'RFC822.TEXT',
];
const MACROS = ['ALL', 'FAST', 'FULL'];
const HEADER_FIELDS = ['From', 'Subject', 'To', 'Date', 'Message-ID', 'Content-Type', 'X-None'];
const SEARCH_SIMPLE = [
  'ALL',
  'ANSWERED',
  'DELETED',
  'DRAFT',
  'FLAGGED',
  'NEW',
  'OLD',
  'RECENT',
  'SEEN',
  'UNANSWERED',
  'UNDELETED',
  'UNDRAFT',
  'UNFLAGGED',
  'UNSEEN',
];
const SEARCH_STRING_KEYS = ['BCC', 'CC', 'FROM', 'TO', 'SUBJECT', 'BODY', 'TEXT'];
const SEARCH_DATE_KEYS = ['BEFORE', 'ON', 'SINCE', 'SENTBEFORE', 'SENTON', 'SENTSINCE'];
const STATUS_ITEMS = ['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'SIZE', 'BOGUS'];
const WORDS = ['mail', 'über', 'café', '日本', 'invoice', 'lunch', 'the', 'x', '', '%', '*'];
const DATES = ['1-Jan-2024', '14-Nov-2023', '31-Feb-2024', '1-Foo-2024', '99-Dec-9999', 'today'];

export function atomSafe(text: string): boolean {
  return /^[\x21-\x7e]+$/.test(text) && !/[(){ %*"\\\]]/.test(text);
}

/** An astring in any of its forms: atom, quoted (escapes), literal (sync or LITERAL+). */
export function astring(rng: Prng, value: string): Segment[] {
  const roll = rng.int(10);
  if (roll < 4 && atomSafe(value)) return [value];
  if (roll < 8 && !/[\r\n\u0080-\uffff]/.test(value))
    return [`"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`];
  return [{ literal: Buffer.from(value, 'utf8'), sync: rng.chance(0.5) }];
}

export function sequenceSet(rng: Prng): string {
  const roll = rng.int(20);
  if (roll === 0) return '0';
  if (roll === 1) return '4294967295';
  if (roll === 2) return '4294967296:*';
  if (roll === 3) {
    // Thousands of ranges (a finding: sets like this were slow).
    const count = rng.range(500, 5000);
    return Array.from({ length: count }, (_, i) => `${i * 3 + 1}:${i * 3 + 2}`).join(',');
  }
  const parts: string[] = [];
  const n = 1 + rng.small(4);
  for (let i = 0; i < n; i++) {
    const a = rng.chance(0.2) ? '*' : String(1 + rng.int(70));
    parts.push(rng.chance(0.5) ? a : `${a}:${rng.chance(0.3) ? '*' : String(1 + rng.int(70))}`);
  }
  return parts.join(',');
}

function section(rng: Prng): string {
  const part = rng.chance(0.4)
    ? Array.from({ length: 1 + rng.small(3) }, () => String(rng.int(4))).join('.')
    : '';
  const texts = ['', 'HEADER', 'TEXT', 'MIME', 'HEADER.FIELDS', 'HEADER.FIELDS.NOT'];
  const text = rng.pick(texts);
  const fields = text.startsWith('HEADER.FIELDS')
    ? ` (${Array.from({ length: 1 + rng.small(4) }, () => rng.pick(HEADER_FIELDS)).join(' ')})`
    : '';
  const inner = [part, text].filter(Boolean).join('.') + fields;
  const partial = rng.chance(0.3)
    ? `<${rng.pick(['0', '1', '10', '4294967295', '99999999999'])}.${rng.pick(['0', '1', '100', '4294967295'])}>`
    : '';
  return `${rng.pick(['BODY', 'BODY.PEEK', 'BINARY'])}[${inner}]${partial}`;
}

function fetchItems(rng: Prng): string {
  if (rng.chance(0.15)) return rng.pick(MACROS);
  const items = Array.from({ length: 1 + rng.small(5) }, () =>
    rng.chance(0.5) ? rng.pick(FETCH_ATOMS) : section(rng),
  );
  return items.length === 1 && rng.chance(0.5) ? items[0]! : `(${items.join(' ')})`;
}

function searchKey(rng: Prng, depth: number): Segment[] {
  const roll = rng.int(depth > 4 ? 6 : 12);
  if (roll < 2) return [rng.pick(SEARCH_SIMPLE)];
  if (roll === 2) return [`${rng.pick(SEARCH_STRING_KEYS)} `, ...astring(rng, rng.pick(WORDS))];
  if (roll === 3) return [`${rng.pick(SEARCH_DATE_KEYS)} ${rng.pick(DATES)}`];
  if (roll === 4)
    return [`${rng.pick(['LARGER', 'SMALLER'])} ${rng.pick(['0', '100', '4294967296', '-1'])}`];
  if (roll === 5) return [rng.chance(0.5) ? `UID ${sequenceSet(rng)}` : sequenceSet(rng)];
  if (roll === 6)
    return [
      'HEADER ',
      ...astring(rng, rng.pick(HEADER_FIELDS)),
      ' ',
      ...astring(rng, rng.pick(WORDS)),
    ];
  if (roll === 7) return [`${rng.pick(['KEYWORD', 'UNKEYWORD'])} ${rng.pick(KEYWORDS)}`];
  if (roll < 10) return ['NOT ', ...searchKey(rng, depth + 1)];
  if (roll === 10) return ['OR ', ...searchKey(rng, depth + 1), ' ', ...searchKey(rng, depth + 1)];
  return ['(', ...searchKeys(rng, depth + 1), ')'];
}

function searchKeys(rng: Prng, depth: number): Segment[] {
  const out: Segment[] = [];
  const n = 1 + rng.small(3);
  for (let i = 0; i < n; i++) out.push(...(i ? [' '] : []), ...searchKey(rng, depth));
  return out;
}

/** Deep nesting, a classic parser killer: NOT NOT NOT … or ((((…)))). */
function deepSearch(rng: Prng): string {
  const depth = rng.pick([20, 33, 100, 1000, 10_000]);
  return rng.chance(0.5)
    ? `${'NOT '.repeat(depth)}ALL`
    : `${'('.repeat(depth)}ALL${')'.repeat(depth)}`;
}

function mailbox(rng: Prng): Segment[] {
  return astring(rng, rng.pick(FUZZ_MAILBOXES));
}

function flagList(rng: Prng): string {
  const n = rng.small(4);
  const flags = Array.from({ length: n }, () => rng.pick(rng.chance(0.7) ? FLAGS : KEYWORDS));
  return `(${flags.join(' ')})`;
}

function message(rng: Prng): Buffer {
  const kind = rng.int(5);
  if (kind === 0) return Buffer.alloc(0);
  if (kind === 1) return rng.bytes(rng.range(1, 300));
  const body = Array.from({ length: rng.range(1, 40) }, () => rng.pick(WORDS)).join(' ');
  const eol = rng.chance(0.5) ? '\r\n' : '\n';
  return Buffer.from(
    `From: fuzz@example.org${eol}Subject: ${rng.pick(WORDS)}${eol}` +
      `${kind === 4 ? `Content-Type: multipart/mixed; boundary=b${eol}` : ''}${eol}` +
      `${kind === 4 ? `--b${eol}${eol}${body}${eol}--b--${eol}` : body + eol}`,
    'utf8',
  );
}

type Generator = (rng: Prng, creds: Credentials) => Segment[];

const uid = (rng: Prng): string => (rng.chance(0.4) ? 'UID ' : '');

const ANY: Readonly<Record<string, Generator>> = {
  capability: () => ['CAPABILITY'],
  noop: () => ['NOOP'],
  id: (rng) => [rng.chance(0.3) ? 'ID NIL' : `ID ("name" "fuzz" "version" "${rng.int(99)}")`],
  logout: () => ['LOGOUT'],
  enable: (rng) => [`ENABLE ${rng.pick(['CONDSTORE', 'UTF8=ACCEPT', 'QRESYNC', 'X-NONE'])}`],
  starttls: () => ['STARTTLS'],
  login: (rng, c) => [
    'LOGIN ',
    ...astring(rng, rng.chance(0.8) ? c.user : rng.pick(['root', 'admin', ''])),
    ' ',
    ...astring(rng, rng.chance(0.1) ? c.password : 'wrong password'),
  ],
  authenticate: (rng, c) => {
    const plain = Buffer.from(`\0${c.user}\0${rng.chance(0.1) ? c.password : 'nope'}`).toString(
      'base64',
    );
    const mech = rng.pick(['PLAIN', 'PLAIN', 'LOGIN', 'XOAUTH2']);
    if (rng.chance(0.4)) return [`AUTHENTICATE ${mech} ${rng.pick([plain, '=', '*', '!!'])}`];
    return [`AUTHENTICATE ${mech}\r\n${rng.pick([plain, '*', '', 'AAAA'])}`];
  },
};

const AUTHENTICATED: Readonly<Record<string, Generator>> = {
  select: (rng) => [rng.pick(['SELECT ', 'EXAMINE ']), ...mailbox(rng)],
  create: (rng) => ['CREATE ', ...mailbox(rng)],
  delete: (rng) => ['DELETE ', ...mailbox(rng)],
  rename: (rng) => ['RENAME ', ...mailbox(rng), ' ', ...mailbox(rng)],
  subscribe: (rng) => [rng.pick(['SUBSCRIBE ', 'UNSUBSCRIBE ']), ...mailbox(rng)],
  list: (rng) => {
    const select = rng.chance(0.2)
      ? `(${rng.pick(['SUBSCRIBED', 'SPECIAL-USE', 'RECURSIVEMATCH', 'REMOTE'])}) `
      : '';
    const returns = rng.chance(0.2)
      ? ` RETURN (${rng.pick(['CHILDREN', 'SUBSCRIBED', 'SPECIAL-USE'])})`
      : '';
    const pattern = rng.chance(0.2)
      ? `(${rng.pick(PATTERNS)} ${rng.pick(PATTERNS)})`
      : rng.pick(PATTERNS);
    return [
      `${rng.pick(['LIST', 'LSUB'])} ${select}`,
      ...astring(rng, rng.pick(['', 'Fuzz/', 'INBOX'])),
      ` ${pattern.includes(' ') || rng.chance(0.5) ? pattern : JSON.stringify(pattern)}${returns}`,
    ];
  },
  status: (rng) => [
    'STATUS ',
    ...mailbox(rng),
    ` (${Array.from({ length: 1 + rng.small(4) }, () => rng.pick(STATUS_ITEMS)).join(' ')})`,
  ],
  append: (rng) => {
    const flags = rng.chance(0.5) ? ` ${flagList(rng)}` : '';
    const date = rng.chance(0.3)
      ? ` "${rng.pick(['14-Nov-2023 22:13:20 +0000', '1-Jan-2024 00:00:00 -1200', '31-Feb-2024 99:00:00 +9999'])}"`
      : '';
    return [
      'APPEND ',
      ...mailbox(rng),
      `${flags}${date} `,
      { literal: message(rng), sync: rng.chance(0.5) },
    ];
  },
  namespace: () => ['NAMESPACE'],
  idle: () => ['IDLE\r\nDONE'],
};

const SELECTED: Readonly<Record<string, Generator>> = {
  fetch: (rng) => [`${uid(rng)}FETCH ${sequenceSet(rng)} ${fetchItems(rng)}`],
  search: (rng) => [
    `${uid(rng)}SEARCH ${rng.chance(0.15) ? `CHARSET ${rng.pick(['UTF-8', 'US-ASCII', 'ISO-8859-1', 'X-NONE'])} ` : ''}`,
    ...(rng.chance(0.05) ? [deepSearch(rng)] : searchKeys(rng, 0)),
  ],
  store: (rng) => [
    `${uid(rng)}STORE ${sequenceSet(rng)} ${rng.pick(['', '+', '-'])}FLAGS${rng.chance(0.5) ? '.SILENT' : ''} ${flagList(rng)}`,
  ],
  copy: (rng) => [`${uid(rng)}${rng.pick(['COPY', 'MOVE'])} ${sequenceSet(rng)} `, ...mailbox(rng)],
  expunge: (rng) => [rng.chance(0.5) ? 'EXPUNGE' : `UID EXPUNGE ${sequenceSet(rng)}`],
  close: (rng) => [rng.pick(['CLOSE', 'UNSELECT', 'CHECK'])],
};

const TABLES = { ANY, AUTHENTICATED, SELECTED };

/** One command (without its tag) fit for `phase`, now and then one meant for another state. */
export function imapCommand(rng: Prng, phase: ImapPhase, creds: Credentials): Segment[] {
  const weights: [keyof typeof TABLES, number][] =
    phase === 'not-authenticated'
      ? [
          ['ANY', 8],
          ['AUTHENTICATED', 1],
          ['SELECTED', 1],
        ]
      : phase === 'authenticated'
        ? [
            ['ANY', 1],
            ['AUTHENTICATED', 8],
            ['SELECTED', 1],
          ]
        : [
            ['ANY', 1],
            ['AUTHENTICATED', 3],
            ['SELECTED', 10],
          ];
  let roll = rng.int(weights.reduce((s, [, w]) => s + w, 0));
  let table = TABLES.ANY;
  for (const [name, w] of weights) {
    if (roll < w) {
      table = TABLES[name];
      break;
    }
    roll -= w;
  }
  const names = Object.keys(table);
  let name = rng.pick(names);
  // Commands that end or upgrade the session are kept rare so sessions stay long.
  if ((name === 'logout' || name === 'starttls') && !rng.chance(0.1)) name = 'noop';
  return table[name]!(rng, creds);
}

/** Segments → bytes, each literal announced with its exact length. */
export function serializeImap(segments: readonly Segment[]): Buffer {
  const out: Buffer[] = [];
  for (const s of segments) {
    if (typeof s === 'string') out.push(Buffer.from(s, 'utf8'));
    else out.push(Buffer.from(`{${s.literal.length}${s.sync ? '' : '+'}}\r\n`), s.literal);
  }
  return Buffer.concat(out);
}

/**
 * FETCH data items (RFC 3501 §6.4.5) as types: the macros expanded, sections parsed and
 * checked, and the label each item is answered under. BINARY, BINARY.PEEK and BINARY.SIZE
 * (RFC 3516 §4.2) take part numbers only:
 *
 *   fetch-att =/ "BINARY" [".PEEK"] section-binary [partial] / "BINARY.SIZE" section-binary
 *   section-binary = "[" [section-part] "]"
 */
import { ArgumentError } from '../args.js';
import type { Token } from '../parser.js';
import { quoteInput } from '../../net/client-text.js';

export type SectionText = 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

export interface SectionItem {
  readonly kind: 'section';
  /** Sets \Seen (BODY[…], RFC822, RFC822.TEXT) unless PEEK. */
  readonly setsSeen: boolean;
  /** Part numbers, e.g. [1, 2] for "1.2"; [] for the whole message. */
  readonly part: readonly number[];
  readonly text?: SectionText;
  readonly fields?: readonly string[];
  readonly partial?: { readonly start: number; readonly length: number };
  /** The name in the response: `BODY[1.HEADER]<0>`, `RFC822.HEADER`… */
  readonly label: string;
  /** RFC 3516: the part's content decoded (`content`), or only its decoded size (`size`). */
  readonly binary?: 'content' | 'size';
}

export type FetchItem =
  | {
      readonly kind:
        | 'UID'
        | 'FLAGS'
        | 'INTERNALDATE'
        | 'RFC822.SIZE'
        | 'ENVELOPE'
        | 'BODYSTRUCTURE'
        | 'BODY'
        | 'MODSEQ'; // RFC 7162 §3.1.4
    }
  | SectionItem;

const SIMPLE = new Set([
  'UID',
  'FLAGS',
  'INTERNALDATE',
  'RFC822.SIZE',
  'ENVELOPE',
  'BODYSTRUCTURE',
  'BODY',
  'MODSEQ',
]);
const MACROS: Readonly<Record<string, readonly string[]>> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

export function parseFetchItems(token: Token | undefined): FetchItem[] {
  if (!token) throw new ArgumentError('Missing FETCH items');
  if (token.type === 'atom' && MACROS[token.value.toUpperCase()]) {
    return MACROS[token.value.toUpperCase()]!.map((kind) => ({ kind }) as FetchItem);
  }
  const tokens = token.type === 'list' ? token.items : [token];
  if (tokens.length === 0) throw new ArgumentError('Empty FETCH item list');
  return tokens.map(parseItem);
}

function parseItem(token: Token): FetchItem {
  if (token.type === 'section') return parseSection(token);
  if (token.type !== 'atom') throw new ArgumentError('Invalid FETCH item');
  const name = token.value.toUpperCase();
  if (SIMPLE.has(name)) return { kind: name } as FetchItem;
  switch (name) {
    case 'RFC822':
      return { kind: 'section', setsSeen: true, part: [], label: 'RFC822' };
    case 'RFC822.HEADER':
      return { kind: 'section', setsSeen: false, part: [], text: 'HEADER', label: 'RFC822.HEADER' };
    case 'RFC822.TEXT':
      return { kind: 'section', setsSeen: true, part: [], text: 'TEXT', label: 'RFC822.TEXT' };
    default:
      throw new ArgumentError(`Unknown FETCH item ${quoteInput(name)}`);
  }
}

function parseSection(token: Extract<Token, { type: 'section' }>): SectionItem {
  if (token.name.startsWith('BINARY')) return parseBinary(token);
  if (token.name !== 'BODY' && token.name !== 'BODY.PEEK')
    throw new ArgumentError(`Unknown FETCH item ${quoteInput(token.name)}`);
  const [spec, fieldList, extra] = token.section;
  if (extra || (spec && spec.type !== 'atom')) throw new ArgumentError('Invalid section');
  const words = spec?.type === 'atom' ? spec.value.toUpperCase().split('.') : [];
  const part: number[] = [];
  while (words.length && /^[1-9]\d{0,8}$/.test(words[0]!)) part.push(Number(words.shift()));
  const textName = words.join('.');
  const text = textName ? checkText(textName, part) : undefined;
  let fields: string[] | undefined;
  if (text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT') {
    if (fieldList?.type !== 'list' || fieldList.items.length === 0)
      throw new ArgumentError('HEADER.FIELDS needs field names');
    fields = fieldList.items.map((t) => {
      const name =
        t.type === 'atom' ? t.value : t.type === 'string' ? t.value.toString('latin1') : '';
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name))
        throw new ArgumentError('Invalid header field name');
      return name;
    });
  } else if (fieldList) {
    throw new ArgumentError('Invalid section');
  }
  const sectionLabel = [part.join('.'), textName].filter(Boolean).join('.');
  const fieldsLabel = fields ? ` (${fields.map((f) => f.toUpperCase()).join(' ')})` : '';
  const partialLabel = token.partial ? `<${token.partial.start}>` : '';
  return {
    kind: 'section',
    setsSeen: token.name === 'BODY',
    part,
    ...(text && { text }),
    ...(fields && { fields }),
    ...(token.partial && { partial: token.partial }),
    label: `BODY[${sectionLabel}${fieldsLabel}]${partialLabel}`,
  };
}

/** RFC 3516 §4.2: BINARY[part]<partial>, BINARY.PEEK[part]<partial>, BINARY.SIZE[part]. */
function parseBinary(token: Extract<Token, { type: 'section' }>): SectionItem {
  const [spec, extra] = token.section;
  if (extra || (spec && spec.type !== 'atom')) throw new ArgumentError('Invalid section');
  const text = spec?.type === 'atom' ? spec.value : '';
  if (text && !/^[1-9]\d{0,8}(\.[1-9]\d{0,8})*$/.test(text))
    throw new ArgumentError('BINARY takes part numbers only');
  const size = token.name === 'BINARY.SIZE';
  if (size && token.partial) throw new ArgumentError('BINARY.SIZE takes no partial');
  const partialLabel = token.partial ? `<${token.partial.start}>` : '';
  return {
    kind: 'section',
    setsSeen: token.name === 'BINARY',
    part: text ? text.split('.').map(Number) : [],
    ...(token.partial && { partial: token.partial }),
    label: `${size ? 'BINARY.SIZE' : 'BINARY'}[${text}]${partialLabel}`,
    binary: size ? 'size' : 'content',
  };
}

function checkText(name: string, part: readonly number[]): SectionText {
  if (name === 'MIME' && part.length === 0) throw new ArgumentError('MIME needs a part number');
  if (['HEADER', 'HEADER.FIELDS', 'HEADER.FIELDS.NOT', 'TEXT', 'MIME'].includes(name))
    return name as SectionText;
  throw new ArgumentError(`Invalid section ${quoteInput(name)}`);
}

/**
 * IMAP command syntax (RFC 3501 §9) → a typed token tree. The parser knows the shapes every
 * command shares (tag, name, atoms, strings, lists, FETCH sections); each command module turns
 * the tokens into its own typed arguments.
 */
import type { CommandPart } from './command-reader.js';
import { MAX_NESTING_DEPTH, MAX_TOKENS } from './limits.js';
import { isTag } from './tag.js';

export type Token =
  | { readonly type: 'atom'; readonly value: string }
  /** A quoted string or a literal; bytes as sent. */
  | { readonly type: 'string'; readonly value: Buffer; readonly literal: boolean }
  | { readonly type: 'list'; readonly items: readonly Token[] }
  /** `BODY[1.2.HEADER.FIELDS (TO)]<0.100>` and the like (RFC 3501 §6.4.5). */
  | {
      readonly type: 'section';
      readonly name: string;
      readonly section: readonly Token[];
      readonly partial?: { readonly start: number; readonly length: number };
    };

export interface ParsedCommand {
  readonly tag: string;
  /** Upper-case; `UID FETCH` for the UID forms. */
  readonly name: string;
  readonly args: readonly Token[];
}

export class ParseError extends Error {
  override name = 'ParseError';
  constructor(
    message: string,
    readonly tag?: string,
  ) {
    super(message);
  }
}

/** FETCH items that take a section (RFC 3501 §6.4.5, RFC 3516 BINARY). */
const SECTION_NAMES = /^(BODY|BODY\.PEEK|BINARY|BINARY\.PEEK|BINARY\.SIZE)$/i;

/** Characters an atom or astring may hold here: everything but SP, "(", ")", DQUOTE, CTL. */
function isAtomChar(text: string, pos: number): boolean {
  return !' ()"'.includes(text[pos]!) && text.charCodeAt(pos) > 0x1f;
}

export function parseCommand(parts: readonly CommandPart[]): ParsedCommand {
  const cursor = new Cursor(parts);
  const tag = cursor.word();
  if (!isTag(tag)) throw new ParseError('Missing or invalid tag');
  if (!cursor.space()) throw new ParseError('Missing command', tag);
  let name = cursor.word().toUpperCase();
  if (!/^[A-Z][A-Z0-9.-]*$/.test(name))
    throw new ParseError('Missing or invalid command name', tag);
  if (name === 'UID') {
    if (!cursor.space()) throw new ParseError('UID needs a command', tag);
    name = `UID ${cursor.word().toUpperCase()}`;
  }
  try {
    const args = cursor.space() ? cursor.tokens(0, false) : [];
    if (!cursor.atEnd()) throw new ParseError('Unexpected characters at the end of the command');
    return { tag, name, args };
  } catch (err) {
    throw new ParseError(err instanceof Error ? err.message : String(err), tag);
  }
}

/** Reads a command's text segments and literals as one stream of characters and buffers. */
class Cursor {
  readonly #parts: readonly CommandPart[];
  #part = 0;
  #pos = 0;
  #count = 0;

  constructor(parts: readonly CommandPart[]) {
    this.#parts = parts;
  }

  #text(): string | undefined {
    const part = this.#parts[this.#part];
    return typeof part === 'string' ? part : undefined;
  }

  #peek(): string | undefined {
    const text = this.#text();
    if (text === undefined) return undefined;
    if (this.#pos < text.length) return text[this.#pos];
    // End of a segment: a literal follows (or the command ends).
    return undefined;
  }

  atEnd(): boolean {
    const text = this.#text();
    return this.#part >= this.#parts.length - 1 && (text === undefined || this.#pos >= text.length);
  }

  /** Characters up to the next space or end of segment. */
  word(): string {
    const text = this.#text() ?? '';
    const start = this.#pos;
    while (this.#pos < text.length && text[this.#pos] !== ' ') this.#pos++;
    return text.slice(start, this.#pos);
  }

  space(): boolean {
    if (this.#peek() !== ' ') return false;
    this.#pos++;
    return true;
  }

  /** Space-separated tokens until the end (or a closing parenthesis when inList). */
  tokens(depth: number, inList: boolean): Token[] {
    if (depth > MAX_NESTING_DEPTH)
      throw new ParseError(`Lists nested deeper than ${MAX_NESTING_DEPTH}`);
    const tokens: Token[] = [];
    for (;;) {
      if (inList && this.#peek() === ')') return tokens;
      if (this.#atSegmentEnd()) {
        if (this.#literalNext()) {
          tokens.push(this.#literal());
        } else if (inList) {
          throw new ParseError('Missing ")"');
        } else {
          return tokens;
        }
      } else {
        tokens.push(this.#token(depth));
      }
      if (++this.#count > MAX_TOKENS) throw new ParseError('Too many arguments');
      if (inList && this.#peek() === ')') return tokens;
      if (this.#atSegmentEnd() && !this.#literalNext()) {
        if (inList) throw new ParseError('Missing ")"');
        return tokens;
      }
      if (!this.space()) throw new ParseError('Expected a space between arguments');
    }
  }

  #atSegmentEnd(): boolean {
    const text = this.#text();
    return text === undefined || this.#pos >= text.length;
  }

  #literalNext(): boolean {
    return this.#atSegmentEnd() && Buffer.isBuffer(this.#parts[this.#part + 1]);
  }

  #literal(): Token {
    const value = this.#parts[this.#part + 1] as Buffer;
    this.#part += 2;
    this.#pos = 0;
    return { type: 'string', value, literal: true };
  }

  #token(depth: number): Token {
    const ch = this.#peek();
    if (ch === '(') {
      this.#pos++;
      const items = this.tokens(depth + 1, true);
      this.#pos++; // ')'
      return { type: 'list', items };
    }
    if (ch === '"') return this.#quoted();
    if (ch === ')') throw new ParseError('Unexpected ")"');
    return this.#atomOrSection(depth);
  }

  #quoted(): Token {
    const text = this.#text()!;
    let out = '';
    for (let i = this.#pos + 1; i < text.length; i++) {
      const c = text[i]!;
      if (c === '"') {
        this.#pos = i + 1;
        return { type: 'string', value: Buffer.from(out, 'latin1'), literal: false };
      }
      if (c === '\\') {
        const next = text[++i];
        if (next !== '"' && next !== '\\') throw new ParseError('Invalid escape in quoted string');
        out += next;
      } else if (c === '\r' || c === '\n' || c === '\0') {
        throw new ParseError('Invalid character in quoted string');
      } else {
        out += c;
      }
    }
    throw new ParseError('Unterminated quoted string');
  }

  /**
   * An atom, or a FETCH section when the atom is a section name followed by "[". Elsewhere
   * "[" is an ATOM-CHAR and "]" a resp-special that ASTRING-CHAR and list-mailbox allow
   * (RFC 3501 §9), so `SELECT foo[bar]` names a mailbox; commands check their own grammar.
   */
  #atomOrSection(depth: number): Token {
    const text = this.#text()!;
    const start = this.#pos;
    while (this.#pos < text.length && isAtomChar(text, this.#pos)) {
      if (text[this.#pos] === '[' && SECTION_NAMES.test(text.slice(start, this.#pos))) break;
      this.#pos++;
    }
    const value = text.slice(start, this.#pos);
    if (text[this.#pos] === '[') return this.#section(value, depth);
    if (value === '')
      throw new ParseError(`Unexpected character ${JSON.stringify(text[this.#pos] ?? '')}`);
    if (/[\x00-\x1f\x7f]/.test(value)) throw new ParseError('Control character in atom');
    return { type: 'atom', value };
  }

  #section(name: string, depth: number): Token {
    const text = this.#text()!;
    this.#pos++; // '['
    const section: Token[] = [];
    while (text[this.#pos] !== ']') {
      if (this.#pos >= text.length) throw new ParseError('Missing "]"');
      if (text[this.#pos] === ' ') {
        this.#pos++;
        continue;
      }
      section.push(this.#sectionToken(depth));
    }
    this.#pos++; // ']'
    const partial = /^<(\d{1,10})\.(\d{1,10})>/.exec(text.slice(this.#pos));
    if (partial) {
      this.#pos += partial[0].length;
      const start = Number(partial[1]);
      const length = Number(partial[2]);
      if (start > 0xffffffff || length > 0xffffffff || length === 0)
        throw new ParseError('Invalid partial range');
      return { type: 'section', name: name.toUpperCase(), section, partial: { start, length } };
    }
    return { type: 'section', name: name.toUpperCase(), section };
  }

  #sectionToken(depth: number): Token {
    const text = this.#text()!;
    const ch = text[this.#pos];
    if (ch === '(') {
      this.#pos++;
      const items = this.tokens(depth + 1, true);
      this.#pos++;
      return { type: 'list', items };
    }
    if (ch === '"') return this.#quoted();
    const start = this.#pos;
    while (this.#pos < text.length && !' ()[]"'.includes(text[this.#pos]!)) this.#pos++;
    if (start === this.#pos) throw new ParseError('Invalid section');
    return { type: 'atom', value: text.slice(start, this.#pos) };
  }
}

/**
 * The RFC 5322 §3.2 lexical tokens (atoms, dot-atoms, quoted strings, comments, phrases,
 * domains) and the RFC 2045 §5.1 MIME token, read the way Dovecot's rfc822-parser does, so
 * that addresses and Content-* values come out exactly as Dovecot reports them.
 *
 * Input and output are byte strings (one char per octet). Each read returns 1 when more input
 * follows, 0 at the end of the input and -1 on a syntax error; whitespace and comments
 * after a token are skipped, never before it.
 */

/** Octets that may appear in an atom (RFC 5322 `atext`); 8-bit octets count as atext. */
const ATEXT = 1;
/** atext that is not a MIME tspecial (RFC 2045 §5.1: "/", "=", "?" are tspecials). */
const TOKEN = 2;
const CLASS = new Uint8Array(256);
for (let c = 0x21; c < 0x7f; c++) {
  if ('()<>[]:;@\\,."'.includes(String.fromCharCode(c))) continue;
  CLASS[c] = '/=?'.includes(String.fromCharCode(c)) ? ATEXT : ATEXT | TOKEN;
}
for (let c = 0x80; c < 0x100; c++) CLASS[c] = ATEXT | TOKEN;

export const isAtext = (c: number): boolean => (CLASS[c]! & ATEXT) !== 0;
export const isTokenChar = (c: number): boolean => (CLASS[c]! & TOKEN) !== 0;

/** U+FFFD in UTF-8, as a byte string: what Dovecot puts where a header held NUL. */
export const NUL_REPLACEMENT = '\xef\xbf\xbd';

export class Rfc822Reader {
  pos: number;
  readonly end: number;
  /** The text of the last comment skipped, when wanted (display names in addr-spec). */
  lastComment: string | null;
  nulReplacement: string | null = null;

  constructor(
    readonly data: string,
    lastComment = false,
  ) {
    this.pos = 0;
    this.end = data.length;
    this.lastComment = lastComment ? '' : null;
  }

  /** The octet at the cursor, or 0 past the end (as Dovecot's NUL-terminated buffers read). */
  peek(): number {
    return this.pos < this.end ? this.data.charCodeAt(this.pos) : 0;
  }

  get more(): boolean {
    return this.pos < this.end;
  }

  /** RFC 5322 §3.2.2 comment, nested; its text (line ends removed) kept in lastComment. */
  skipComment(): number {
    const keep = this.lastComment !== null;
    let text = '';
    let start = ++this.pos;
    let level = 1;
    for (; this.pos < this.end; this.pos++) {
      const c = this.data.charCodeAt(this.pos);
      if (c === 0 && keep && this.nulReplacement !== null) {
        text += this.data.slice(start, this.pos) + this.nulReplacement;
        start = this.pos + 1;
      } else if (c === 0x28) {
        level++;
      } else if (c === 0x29 && --level === 0) {
        if (keep) this.lastComment = text + this.data.slice(start, this.pos);
        this.pos++;
        return this.more ? 1 : 0;
      } else if (c === 0x0a && keep) {
        text += trimCr(this.data.slice(start, this.pos));
        start = this.pos + 1;
      } else if (c === 0x5c) {
        if (++this.pos >= this.end) return -1;
        const n = this.data.charCodeAt(this.pos);
        if (n === 0x0d || n === 0x0a || n === 0) {
          this.pos--;
        } else {
          if (keep) text += this.data.slice(start, this.pos - 1);
          start = this.pos;
        }
      }
    }
    if (keep) this.lastComment = text;
    return -1;
  }

  /** Skips folding whitespace and comments (CFWS). */
  skipLwsp(): number {
    while (this.pos < this.end) {
      const c = this.data.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) {
        this.pos++;
        continue;
      }
      if (c !== 0x28) break;
      if (this.skipComment() < 0) return -1;
    }
    return this.more ? 1 : 0;
  }

  /** Appends a run of octets matching `test` to out[0]; returns the skipLwsp result. */
  #run(test: (c: number) => boolean, out: string[]): number {
    const start = this.pos;
    while (this.pos < this.end && test(this.data.charCodeAt(this.pos))) this.pos++;
    out[0] += this.data.slice(start, this.pos);
    return this.more ? this.skipLwsp() : 0;
  }

  atom(out: string[]): number {
    if (!this.more || !isAtext(this.peek())) return -1;
    return this.#run(isAtext, out);
  }

  /** dot-atom, allowing CFWS around the dots (RFC 822 compatibility). */
  dotAtom(out: string[]): number {
    if (!this.more || !isAtext(this.peek())) return -1;
    for (;;) {
      const ret = this.#run(isAtext, out);
      if (ret <= 0) return ret;
      if (this.peek() !== 0x2e) return 1;
      this.pos++;
      out[0] += '.';
      if (this.skipLwsp() <= 0) return -1;
      if (!isAtext(this.peek())) return -1;
    }
  }

  mimeToken(out: string[]): number {
    return this.#run((c) => isTokenChar(c) || c === 0x2e, out);
  }

  /** quoted-string; the cursor is on the opening DQUOTE. Folding line ends are removed. */
  quotedString(out: string[]): number {
    let start = ++this.pos;
    for (; this.pos < this.end; this.pos++) {
      const c = this.data.charCodeAt(this.pos);
      if (c === 0 && this.nulReplacement !== null) {
        out[0] += this.data.slice(start, this.pos) + this.nulReplacement;
        start = this.pos + 1;
      } else if (c === 0x22) {
        out[0] += this.data.slice(start, this.pos);
        this.pos++;
        return this.skipLwsp();
      } else if (c === 0x0a) {
        out[0] += trimCr(this.data.slice(start, this.pos));
        start = this.pos + 1;
      } else if (c === 0x5c) {
        if (++this.pos >= this.end) return -1;
        const n = this.data.charCodeAt(this.pos);
        if (n === 0x0d || n === 0x0a || n === 0) this.pos--;
        else {
          out[0] += this.data.slice(start, this.pos - 1);
          start = this.pos;
        }
      }
    }
    return -1;
  }

  /** phrase / obs-phrase (RFC 5322 §3.2.5, §4.1): words joined by single spaces. */
  phrase(out: string[]): number {
    if (!this.more) return 0;
    if (this.peek() === 0x2e) return -1;
    for (;;) {
      const ret =
        this.peek() === 0x22
          ? this.quotedString(out)
          : this.#run((c) => isAtext(c) || c === 0x2e, out);
      if (ret <= 0) return ret;
      const c = this.peek();
      if (!isAtext(c) && c !== 0x22 && c !== 0x2e) break;
      out[0] += ' ';
    }
    return this.skipLwsp();
  }

  /** domain after "@" (the cursor is on it): dot-atom or domain-literal. */
  domain(out: string[]): number {
    this.pos++;
    if (this.skipLwsp() <= 0) return -1;
    return this.peek() === 0x5b ? this.#domainLiteral(out) : this.dotAtom(out);
  }

  #domainLiteral(out: string[]): number {
    let start = this.pos++;
    for (; this.pos < this.end; this.pos++) {
      const c = this.data.charCodeAt(this.pos);
      if (c === 0 && this.nulReplacement !== null) {
        out[0] += this.data.slice(start, this.pos) + this.nulReplacement;
        start = this.pos + 1;
      } else if (c === 0x5b) {
        return -1;
      } else if (c === 0x5d) {
        out[0] += this.data.slice(start, ++this.pos);
        return this.skipLwsp();
      } else if (c === 0x0a) {
        out[0] += trimCr(this.data.slice(start, this.pos));
        start = this.pos + 1;
      } else if (c === 0x5c) {
        if (++this.pos >= this.end) return -1;
        const n = this.data.charCodeAt(this.pos);
        if (n === 0x0d || n === 0x0a || n === 0) {
          out[0] += this.data.slice(start, this.pos);
          start = this.pos;
          this.pos--;
        }
      }
    }
    return -1;
  }
}

function trimCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

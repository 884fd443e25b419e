/**
 * The invalid-response oracle for IMAP (RFC 3501 §7, §9): reads the server's bytes as
 * responses, consuming `{n}` literals exactly, and reports anything a client could not parse
 * or should never see: a line that is not `* …`, `+ …` or `<tag> OK|NO|BAD …`; a tag the
 * client never sent; NUL, bare CR or LF; 8-bit or control bytes outside literals (after
 * `* ENABLED UTF8=ACCEPT` or `IMAP4rev2`, well-formed UTF-8 in data lines is allowed: RFC 6855
 * §3, RFC 9051 §9); and `[SERVERBUG]`, which means the server failed, not the client.
 */

export type ImapResponse =
  | { readonly kind: 'continuation'; readonly line: string }
  | { readonly kind: 'untagged'; readonly line: string; readonly status?: string }
  | {
      readonly kind: 'tagged';
      readonly line: string;
      readonly tag: string;
      readonly status: string;
    };

export interface ResponseProblem {
  readonly kind: 'invalid' | 'serverbug';
  readonly message: string;
  readonly line: string;
}

const STATUS = /^(OK|NO|BAD|BYE|PREAUTH)(?: |$)/;
const LITERAL_AT_END = /\{(\d{1,10})\}$/;
const MAX_RESPONSE_LITERAL_BYTES = 256 * 1024 * 1024;

export class ImapResponseReader {
  #buffer: Buffer = Buffer.alloc(0);
  /** Text of the response so far (literal contents replaced by their length). */
  #pending = '';
  #literalLeft = 0;
  /** The session enabled UTF8=ACCEPT or IMAP4rev2: data lines may carry UTF-8. */
  #utf8 = false;
  readonly #isSentTag: (tag: string) => boolean;

  constructor(isSentTag: (tag: string) => boolean) {
    this.#isSentTag = isSentTag;
  }

  /** Feeds bytes; returns the complete responses and the problems found in them. */
  push(chunk: Buffer): { responses: ImapResponse[]; problems: ResponseProblem[] } {
    const responses: ImapResponse[] = [];
    const problems: ResponseProblem[] = [];
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    for (;;) {
      if (this.#literalLeft > 0) {
        const take = Math.min(this.#literalLeft, this.#buffer.length);
        this.#literalLeft -= take;
        this.#buffer = this.#buffer.subarray(take);
        if (this.#literalLeft > 0) break;
      }
      const end = this.#buffer.indexOf('\r\n');
      if (end === -1) break;
      const piece = this.#buffer.subarray(0, end);
      this.#buffer = this.#buffer.subarray(end + 2);
      const text = piece.toString('latin1');
      const where = this.#pending + text;
      const bad = badBytes(piece);
      if (bad) problems.push({ kind: 'invalid', message: bad, line: where });
      const literal = LITERAL_AT_END.exec(text);
      if (literal && Number(literal[1]) <= MAX_RESPONSE_LITERAL_BYTES) {
        this.#pending += `${text}\r\n`;
        this.#literalLeft = Number(literal[1]);
        if (this.#literalLeft === 0) continue;
        continue;
      }
      const line = this.#pending + text;
      this.#pending = '';
      const response = this.#classify(line, problems);
      if (response) responses.push(response);
    }
    return { responses, problems };
  }

  #classify(line: string, problems: ResponseProblem[]): ImapResponse | undefined {
    const fail = (message: string): undefined => {
      problems.push({ kind: 'invalid', message, line });
      return undefined;
    };
    if (line === '+' || line.startsWith('+ ')) {
      const text = line.slice(2);
      if (/[^\x20-\x7e]/.test(text)) fail('control or 8-bit byte in a continuation request');
      return { kind: 'continuation', line };
    }
    const space = line.indexOf(' ');
    if (space <= 0) return fail('not an IMAP response');
    const tag = line.slice(0, space);
    const rest = line.slice(space + 1);
    const status = STATUS.exec(rest)?.[1];
    if (status) {
      // resp-text is TEXT-CHAR (RFC 3501 §9): 7-bit, no CR/LF; echoed client bytes show here.
      if (/[^\x20-\x7e]/.test(line)) fail('control or 8-bit byte in a status response');
      if (/\[SERVERBUG\]/i.test(rest))
        problems.push({ kind: 'serverbug', message: '[SERVERBUG]', line });
    }
    if (tag === '*') {
      if (/^\* ENABLED .*\b(UTF8=ACCEPT|IMAP4rev2)\b/i.test(line)) this.#utf8 = true;
      const data = line.replace(/\{\d+\}\r\n/g, ''); // a literal's contents are not in `line`
      if (!status && /[^\x20-\x7e]/.test(data) && !(this.#utf8 && utf8Text(data))) {
        fail('8-bit or control byte outside a literal');
      }
      return status ? { kind: 'untagged', line, status } : { kind: 'untagged', line };
    }
    if (!status || status === 'BYE' || status === 'PREAUTH')
      return fail('tagged line without OK/NO/BAD');
    if (!/^[\x21-\x7e]+$/.test(tag) || tag.includes('+')) return fail('malformed tag');
    if (!this.#isSentTag(tag)) fail(`tagged reply to "${tag}", a tag the client never sent`);
    return { kind: 'tagged', line, tag, status };
  }
}

/** Printable text in well-formed UTF-8 (`text` holds the raw bytes as latin1). */
function utf8Text(text: string): boolean {
  if (/[\x00-\x1f\x7f]/.test(text)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(text, 'latin1'));
    return true;
  } catch {
    return false;
  }
}

function badBytes(piece: Buffer): string | undefined {
  if (piece.includes(0x00)) return 'NUL in a response line';
  if (piece.includes(0x0a)) return 'bare LF in a response line';
  if (piece.includes(0x0d)) return 'bare CR in a response line';
  return undefined;
}

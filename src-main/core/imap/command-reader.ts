/**
 * IMAP framing (RFC 3501 §4.3, RFC 7888 LITERAL+): bytes → complete commands, each a list of
 * line segments and literal buffers in order. Literal sizes are checked before a single byte
 * of them is accepted; synchronising literals wait for the server's "+" (the `continue` event).
 */
import { MAX_LINE_BYTES, MAX_SKIPPED_LITERAL_BYTES, MAX_SMALL_LITERAL_BYTES } from './limits.js';

export type CommandPart = string | Buffer;

export type ReaderEvent =
  | { readonly kind: 'command'; readonly parts: readonly CommandPart[] }
  /** A synchronising literal was announced and accepted: send a continuation request. */
  | { readonly kind: 'continue' }
  /** The command was refused while being read; the session answers and goes on (or closes). */
  | {
      readonly kind: 'error';
      readonly tag: string | undefined;
      readonly text: string;
      readonly fatal: boolean;
    };

type Mode =
  | { readonly kind: 'line' }
  | { readonly kind: 'literal'; remaining: number; readonly chunks: Buffer[] }
  | { readonly kind: 'skip-literal'; remaining: number }
  | { readonly kind: 'skip-line' };

const LITERAL_AT_END = /\{(\d{1,20})(\+?)\}$/;

export class CommandReader {
  readonly #maxMessageBytes: number;
  readonly #maxSmallLiteralBytes: number;
  #mode: Mode = { kind: 'line' };
  #line: Buffer[] = [];
  #lineBytes = 0;
  #parts: CommandPart[] = [];
  #pendingError: { tag: string | undefined; text: string } | undefined;

  constructor(maxMessageBytes: number, maxSmallLiteralBytes = MAX_SMALL_LITERAL_BYTES) {
    this.#maxMessageBytes = maxMessageBytes;
    this.#maxSmallLiteralBytes = maxSmallLiteralBytes;
  }

  push(chunk: Buffer): ReaderEvent[] {
    const events: ReaderEvent[] = [];
    let data = chunk;
    while (data.length > 0) data = this.#step(data, events);
    return events;
  }

  /** Forgets everything buffered (after STARTTLS: RFC 3501 §6.2.1, CVE-2011-0411). */
  discard(): void {
    this.#mode = { kind: 'line' };
    this.#line = [];
    this.#lineBytes = 0;
    this.#parts = [];
    this.#pendingError = undefined;
  }

  #step(data: Buffer, events: ReaderEvent[]): Buffer {
    const mode = this.#mode;
    if (mode.kind === 'literal' || mode.kind === 'skip-literal') {
      const take = Math.min(mode.remaining, data.length);
      if (mode.kind === 'literal') mode.chunks.push(Buffer.from(data.subarray(0, take)));
      mode.remaining -= take;
      if (mode.remaining === 0) {
        if (mode.kind === 'literal') this.#parts.push(Buffer.concat(mode.chunks));
        this.#mode = mode.kind === 'literal' ? { kind: 'line' } : { kind: 'skip-line' };
      }
      return data.subarray(take);
    }
    const nl = data.indexOf(0x0a);
    const piece = nl === -1 ? data : data.subarray(0, nl + 1);
    if (mode.kind === 'skip-line') {
      if (nl !== -1) this.#finishSkip(events);
      return data.subarray(piece.length);
    }
    this.#lineBytes += piece.length;
    this.#line.push(piece);
    if (this.#lineBytes > MAX_LINE_BYTES + 2) {
      this.#fail(`Line too long (the limit is ${MAX_LINE_BYTES} octets)`, { kind: 'skip-line' });
      if (nl !== -1) this.#finishSkip(events);
      return data.subarray(piece.length);
    }
    if (nl !== -1) this.#endOfLine(events);
    return data.subarray(piece.length);
  }

  #endOfLine(events: ReaderEvent[]): void {
    let text = Buffer.concat(this.#line).toString('latin1');
    this.#line = [];
    this.#lineBytes = 0;
    text = text.endsWith('\r\n') ? text.slice(0, -2) : text.slice(0, -1);
    const literal = LITERAL_AT_END.exec(text);
    if (!literal) {
      this.#parts.push(text);
      events.push({ kind: 'command', parts: this.#parts });
      this.#parts = [];
      return;
    }
    this.#parts.push(text.slice(0, literal.index));
    const size = Number(literal[1]);
    const nonSync = literal[2] === '+';
    const limit = this.#literalLimit();
    if (size > limit) {
      const text = `Literal too large (the limit is ${limit} octets)`;
      if (!nonSync) {
        // RFC 3501 §7.5: refuse instead of "+"; the client abandons the command.
        events.push({ kind: 'error', tag: this.#tag(), text, fatal: false });
        this.#parts = [];
      } else if (size > MAX_SKIPPED_LITERAL_BYTES) {
        events.push({ kind: 'error', tag: this.#tag(), text, fatal: true });
        this.#parts = [];
      } else {
        this.#fail(text, { kind: 'skip-literal', remaining: size });
      }
      return;
    }
    this.#mode = { kind: 'literal', remaining: size, chunks: [] };
    if (size === 0) this.#mode = { kind: 'line' };
    if (size === 0) this.#parts.push(Buffer.alloc(0));
    if (!nonSync) events.push({ kind: 'continue' });
  }

  #literalLimit(): number {
    const first = this.#parts[0];
    const command = typeof first === 'string' ? first.split(' ', 3) : [];
    const verb = (command[1] ?? '').toUpperCase();
    return verb === 'APPEND' ? this.#maxMessageBytes : this.#maxSmallLiteralBytes;
  }

  #tag(): string | undefined {
    const first = this.#parts[0];
    const tag = typeof first === 'string' ? first.split(' ', 1)[0] : undefined;
    return tag && /^[\x21-\x7e]+$/.test(tag) && !tag.includes('+') ? tag : undefined;
  }

  #fail(text: string, mode: Mode): void {
    this.#pendingError = { tag: this.#tag() ?? this.#tagFromLine(), text };
    this.#mode = mode;
    this.#parts = [];
  }

  #tagFromLine(): string | undefined {
    const head = Buffer.concat(this.#line).subarray(0, 200).toString('latin1').split(' ', 1)[0];
    this.#line = [];
    this.#lineBytes = 0;
    return head && /^[\x21-\x7e]+$/.test(head) && !head.includes('+') ? head : undefined;
  }

  #finishSkip(events: ReaderEvent[]): void {
    const error = this.#pendingError ?? { tag: undefined, text: 'Command refused' };
    events.push({ kind: 'error', tag: error.tag, text: error.text, fatal: false });
    this.#pendingError = undefined;
    this.#mode = { kind: 'line' };
    this.#line = [];
    this.#lineBytes = 0;
  }
}

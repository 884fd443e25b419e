/**
 * IMAP framing (RFC 3501 §4.3, RFC 7888 LITERAL+): bytes → complete commands, each a list of
 * line segments and literal buffers in order.
 *
 * The reader is pulled: the session pushes bytes as they arrive and asks for the `next()`
 * event only when it is ready to act on it, so every command is framed under the session's
 * state at that moment (logged in or not, waiting for a continuation line or not). What a
 * command may carry comes from the session's `CommandPolicy`, asked once per command with
 * its verb, and is checked before a byte of a literal is kept: the size of each literal and of
 * the whole command (all lines and literals together). A refused command is answered at once
 * and the rest of it is skipped without being stored; a non-synchronising literal too large to
 * skip cheaply ends the session.
 */
import { MAX_LINE_BYTES, MAX_SKIPPED_LITERAL_BYTES, MAX_TAG_CHARS } from './limits.js';
import { isTag } from './tag.js';

export type CommandPart = string | Buffer;

/** What one command may carry; the session decides from its state and the command's verb. */
export interface CommandBudget {
  /** The largest literal; 0 refuses every literal. */
  readonly maxLiteralBytes: number;
  /** Every line and literal of the command together. */
  readonly maxCommandBytes: number;
  /** The reply when a literal is refused because of what the command is (APPEND before login). */
  readonly literalRefusal?: string;
}

/** `verb` is the command's second word, upper-case ('' when there is none). */
export type CommandPolicy = (verb: string) => CommandBudget;

export type ReaderEvent =
  | { readonly kind: 'command'; readonly parts: readonly CommandPart[] }
  /** A synchronising literal was announced and accepted: send a continuation request. */
  | { readonly kind: 'continue' }
  /** The command was refused while being read; the session answers BAD and goes on. */
  | { readonly kind: 'error'; readonly tag: string | undefined; readonly text: string }
  /** Input that cannot be skipped cheaply: the session says BYE and closes. */
  | { readonly kind: 'fatal'; readonly text: string };

type Mode =
  | { readonly kind: 'line' }
  | { readonly kind: 'literal'; remaining: number; readonly chunks: Buffer[] }
  /** The rest of a refused command: lines are scanned (only their end kept), literals dropped. */
  | { readonly kind: 'skip-line'; tail: string; skipped: number }
  | { readonly kind: 'skip-literal'; remaining: number; readonly skipped: number }
  | { readonly kind: 'closed' };

/** `{n}`, `{n+}` (RFC 7888), and `~{n}` literal8 (RFC 3516 §4.4, APPEND only). */
const LITERAL_AT_END = /(~?)\{(\d{1,20})(\+?)\}$/;
/** Enough of a skipped line's end to see a literal announcement (`{` 20 digits `+}` CR). */
const SKIP_TAIL_CHARS = 32;
const TOO_MUCH_DATA = 'Too much data in one command.';
/** Enough of a command's first line for a whole tag, a space and the verb. */
const HEAD_CHARS = MAX_TAG_CHARS + 1 + 64;

export class CommandReader {
  readonly #policy: CommandPolicy;
  #input: Buffer[] = [];
  #inputBytes = 0;
  #events: ReaderEvent[] = [];
  #mode: Mode = { kind: 'line' };
  #line: Buffer[] = [];
  #lineBytes = 0;
  #parts: CommandPart[] = [];
  #commandBytes = 0;
  #budget: CommandBudget | undefined;

  constructor(policy: CommandPolicy) {
    this.#policy = policy;
  }

  /** Keeps bytes until `next()` frames them; nothing is framed here. */
  push(chunk: Buffer): void {
    if (this.#mode.kind === 'closed' || chunk.length === 0) return;
    this.#input.push(chunk);
    this.#inputBytes += chunk.length;
  }

  /** Bytes pushed and not framed yet (the session pauses the socket above a limit). */
  get bufferedBytes(): number {
    return this.#inputBytes;
  }

  /** The next event, framing as much input as it takes; undefined when more bytes are needed. */
  next(): ReaderEvent | undefined {
    while (this.#events.length === 0 && this.#input.length > 0) {
      const chunk = this.#input[0]!;
      const rest = this.#step(chunk);
      this.#inputBytes -= chunk.length - rest.length;
      if (rest.length === 0) this.#input.shift();
      else this.#input[0] = rest;
      if (this.#mode.kind === 'closed') this.#dropInput();
    }
    return this.#events.shift();
  }

  /**
   * Hands over the bytes not framed yet, and forgets them: after COMPRESS they are compressed
   * input (RFC 4978 §3), to go through the inflater first.
   */
  takeInput(): Buffer[] {
    const input = this.#input;
    this.#dropInput();
    return input;
  }

  /** Forgets everything buffered (after STARTTLS: RFC 3501 §6.2.1, CVE-2011-0411). */
  discard(): void {
    this.#dropInput();
    this.#events = [];
    this.#mode = { kind: 'line' };
    this.#endCommand();
  }

  #dropInput(): void {
    this.#input = [];
    this.#inputBytes = 0;
  }

  #endCommand(): void {
    this.#line = [];
    this.#lineBytes = 0;
    this.#parts = [];
    this.#commandBytes = 0;
    this.#budget = undefined;
  }

  /** Consumes what the current mode takes from `data`; returns the rest. */
  #step(data: Buffer): Buffer {
    const mode = this.#mode;
    switch (mode.kind) {
      case 'closed':
        return Buffer.alloc(0);
      case 'literal':
      case 'skip-literal': {
        const take = Math.min(mode.remaining, data.length);
        if (mode.kind === 'literal') mode.chunks.push(Buffer.from(data.subarray(0, take)));
        mode.remaining -= take;
        if (mode.remaining === 0) this.#literalDone(mode);
        return data.subarray(take);
      }
      default:
        return this.#stepLine(data, mode);
    }
  }

  #literalDone(mode: Extract<Mode, { kind: 'literal' | 'skip-literal' }>): void {
    if (mode.kind === 'literal') {
      this.#parts.push(Buffer.concat(mode.chunks));
      this.#mode = { kind: 'line' };
    } else {
      this.#mode = { kind: 'skip-line', tail: '', skipped: mode.skipped };
    }
  }

  #stepLine(data: Buffer, mode: Extract<Mode, { kind: 'line' | 'skip-line' }>): Buffer {
    const nl = data.indexOf(0x0a);
    const piece = nl === -1 ? data : data.subarray(0, nl + 1);
    if (mode.kind === 'skip-line') {
      const tail = mode.tail + piece.subarray(-SKIP_TAIL_CHARS).toString('latin1');
      mode.tail = tail.slice(-SKIP_TAIL_CHARS);
      if (nl !== -1) this.#skippedLineEnd(mode);
      return data.subarray(piece.length);
    }
    this.#line.push(piece);
    this.#lineBytes += piece.length;
    if (this.#lineBytes > MAX_LINE_BYTES + 2) {
      const tail = Buffer.concat(this.#line.slice(-2)).subarray(-SKIP_TAIL_CHARS);
      this.#refuse(`Line too long (the limit is ${MAX_LINE_BYTES} octets)`);
      const skip: Mode = { kind: 'skip-line', tail: tail.toString('latin1'), skipped: 0 };
      this.#mode = skip;
      if (nl !== -1) this.#skippedLineEnd(skip);
      return data.subarray(piece.length);
    }
    if (nl !== -1) this.#endOfLine();
    return data.subarray(piece.length);
  }

  #endOfLine(): void {
    const raw = Buffer.concat(this.#line).toString('latin1');
    this.#commandBytes += this.#lineBytes;
    this.#line = [];
    this.#lineBytes = 0;
    const text = raw.endsWith('\r\n') ? raw.slice(0, -2) : raw.slice(0, -1);
    const literal = LITERAL_AT_END.exec(text);
    this.#parts.push(literal ? text.slice(0, literal.index) : text);
    if (!literal) {
      this.#events.push({ kind: 'command', parts: this.#parts });
      this.#endCommand();
      return;
    }
    const size = Number(literal[2]);
    const nonSync = literal[3] === '+';
    const refusal =
      literal[1] === '~' && this.#verb() !== 'APPEND'
        ? 'literal8 is allowed in APPEND only'
        : this.#literalRefusal(size);
    if (refusal) {
      this.#refuse(refusal);
      this.#skipLiteral(size, nonSync, 0);
      return;
    }
    this.#commandBytes += size;
    if (!nonSync) this.#events.push({ kind: 'continue' });
    if (size > 0) this.#mode = { kind: 'literal', remaining: size, chunks: [] };
    else this.#parts.push(Buffer.alloc(0));
  }

  /** Why a literal of `size` octets may not be accepted now, or undefined (RFC 3501 §7.5). */
  #literalRefusal(size: number): string | undefined {
    const budget = (this.#budget ??= this.#policy(this.#verb()));
    if (size > budget.maxLiteralBytes) {
      return (
        budget.literalRefusal ?? `Literal too large (the limit is ${budget.maxLiteralBytes} octets)`
      );
    }
    if (this.#commandBytes + size > budget.maxCommandBytes)
      return `Command too large (the limit is ${budget.maxCommandBytes} octets)`;
    return undefined;
  }

  /**
   * After a refusal: a synchronising literal is never sent (the client waits for a "+" that
   * does not come and abandons the command); a non-synchronising one arrives anyway and is
   * skipped, unless the command has sent too much already.
   */
  #skipLiteral(size: number, nonSync: boolean, skipped: number): void {
    if (!nonSync) {
      this.#mode = { kind: 'line' };
      return;
    }
    const total = skipped + size;
    if (total > MAX_SKIPPED_LITERAL_BYTES) {
      this.#events.push({ kind: 'fatal', text: TOO_MUCH_DATA });
      this.#mode = { kind: 'closed' };
      return;
    }
    this.#mode =
      size > 0
        ? { kind: 'skip-literal', remaining: size, skipped: total }
        : { kind: 'skip-line', tail: '', skipped: total };
  }

  #skippedLineEnd(mode: Extract<Mode, { kind: 'skip-line' }>): void {
    const text = mode.tail.replace(/\r?\n$/, '');
    const literal = LITERAL_AT_END.exec(text);
    if (!literal) {
      this.#mode = { kind: 'line' };
      return;
    }
    this.#skipLiteral(Number(literal[2]), literal[3] === '+', mode.skipped);
  }

  /** Answers the command now; what is left of it is skipped. */
  #refuse(text: string): void {
    this.#events.push({ kind: 'error', tag: this.#tag(), text });
    this.#endCommand();
  }

  /** The command's first line so far (enough of it for the tag and verb). */
  #head(): string {
    const first = this.#parts[0];
    if (typeof first === 'string') return first.slice(0, HEAD_CHARS);
    return Buffer.concat(this.#line).subarray(0, HEAD_CHARS).toString('latin1');
  }

  /**
   * The tag to answer a refused command with, or undefined for an untagged `* BAD`: only a
   * tag read whole (followed by a space, or ending a first line that is complete) and valid
   * (RFC 3501 §9) is echoed; a made-up tag, such as a long one cut short, never is.
   */
  #tag(): string | undefined {
    const head = this.#head();
    const space = head.indexOf(' ');
    const first = this.#parts[0];
    const whole = space !== -1 || (typeof first === 'string' && first.length === head.length);
    const tag = space === -1 ? head : head.slice(0, space);
    return whole && isTag(tag) ? tag : undefined;
  }

  #verb(): string {
    return (this.#head().split(' ', 3)[1] ?? '').toUpperCase();
  }
}

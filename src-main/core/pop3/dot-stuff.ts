/**
 * RFC 1939 §3 multi-line responses: every line that starts with "." gets one more "."; the
 * body ends with CRLF "." CRLF. Input is already CRLF (the store gives wire bytes).
 * `maxBodyLines` cuts the message after the header and that many body lines (TOP).
 *
 * Whole messages are scanned for "LF ." only (native search; lines that start with a dot are
 * rare), so most chunks pass through uncopied. TOP walks line by line to count.
 */
import { Transform, type TransformCallback } from 'node:stream';

export interface DotStuffOptions {
  /** TOP: lines of body to send after the header's blank line; undefined sends all. */
  readonly maxBodyLines?: number;
}

const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const DOT_BYTES = Buffer.from('.');
const LF_DOT = Buffer.from('\n.');
const CRLF = Buffer.from('\r\n');
const TERMINATOR = Buffer.from('.\r\n');

/** The stuffing state across the chunks of one message. */
export class DotStuffer {
  readonly #maxBodyLines: number | undefined;
  #atLineStart = true;
  #last = LF;
  #beforeLast = CR;
  #inBody = false;
  #bodyLines = 0;
  /** Only CRs so far on the current line (a blank line ends the header). */
  #blank = true;
  #done = false;

  constructor(options: DotStuffOptions = {}) {
    this.#maxBodyLines = options.maxBodyLines;
  }

  /** The stuffed bytes of the next chunk. */
  push(chunk: Buffer): Buffer {
    if (this.#done || chunk.length === 0) return Buffer.alloc(0);
    const out = this.#maxBodyLines === undefined ? this.#whole(chunk) : this.#top(chunk);
    if (out.length > 0) {
      this.#beforeLast = out.length > 1 ? out[out.length - 2]! : this.#last;
      this.#last = out[out.length - 1]!;
    }
    return out;
  }

  /** What ends the response: the terminator, after a line end if the message lacked one. */
  end(): Buffer {
    const endsWithCrlf = this.#beforeLast === CR && this.#last === LF;
    return endsWithCrlf || this.#done ? TERMINATOR : Buffer.concat([CRLF, TERMINATOR]);
  }

  #whole(chunk: Buffer): Buffer {
    const pieces: Buffer[] = [];
    let start = 0;
    if (this.#atLineStart && chunk[0] === DOT) pieces.push(DOT_BYTES);
    for (let at = chunk.indexOf(LF_DOT); at !== -1; at = chunk.indexOf(LF_DOT, at + 1)) {
      pieces.push(chunk.subarray(start, at + 1), DOT_BYTES);
      start = at + 1;
    }
    this.#atLineStart = chunk[chunk.length - 1] === LF;
    if (pieces.length === 0) return chunk;
    pieces.push(chunk.subarray(start));
    return Buffer.concat(pieces);
  }

  #top(chunk: Buffer): Buffer {
    const pieces: Buffer[] = [];
    let start = 0;
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#atLineStart) {
        if (this.#inBody && this.#bodyLines >= this.#maxBodyLines!) {
          this.#done = true;
          break;
        }
        this.#atLineStart = false;
        if (chunk[pos] === DOT) {
          pieces.push(chunk.subarray(start, pos), DOT_BYTES);
          start = pos;
        }
      }
      const lf = chunk.indexOf(LF, pos);
      const lineEnd = lf === -1 ? chunk.length : lf;
      for (let i = pos; this.#blank && i < lineEnd; i++) if (chunk[i] !== CR) this.#blank = false;
      if (lf === -1) break;
      if (this.#inBody) this.#bodyLines += 1;
      else if (this.#blank) this.#inBody = true; // the empty line ending the header
      this.#atLineStart = true;
      this.#blank = true;
      pos = lf + 1;
    }
    const end = this.#done ? pos : chunk.length;
    if (pieces.length === 0) return chunk.subarray(0, end);
    pieces.push(chunk.subarray(start, end));
    return Buffer.concat(pieces);
  }
}

export class DotStuffTransform extends Transform {
  readonly #stuffer: DotStuffer;

  constructor(options: DotStuffOptions = {}) {
    super();
    this.#stuffer = new DotStuffer(options);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const out = this.#stuffer.push(chunk);
    done(null, out.length > 0 ? out : undefined);
  }

  override _flush(done: TransformCallback): void {
    done(null, this.#stuffer.end());
  }
}

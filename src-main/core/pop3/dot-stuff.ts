/**
 * RFC 1939 §3 multi-line responses: every line that starts with "." gets one more "."; the
 * body ends with CRLF "." CRLF. Input is already CRLF (the store gives wire bytes).
 * `maxBodyLines` cuts the message after the header and that many body lines (TOP).
 */
import { Transform, type TransformCallback } from 'node:stream';

export interface DotStuffOptions {
  /** TOP: lines of body to send after the header's blank line; undefined sends all. */
  readonly maxBodyLines?: number;
}

export class DotStuffTransform extends Transform {
  #atLineStart = true;
  #lastTwo = [0x0d, 0x0a];
  #inBody = false;
  #bodyLines = 0;
  #blankCandidate = true; // at line start, nothing on this line yet
  #done = false;
  readonly #maxBodyLines: number | undefined;

  constructor(options: DotStuffOptions = {}) {
    super();
    this.#maxBodyLines = options.maxBodyLines;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.#done) return done();
    const out: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.#atLineStart) {
        if (this.#reachedLimit()) {
          out.push(chunk.subarray(start, i));
          this.#done = true;
          this.push(Buffer.concat(out));
          return done();
        }
        this.#atLineStart = false;
        if (byte === 0x2e) {
          out.push(chunk.subarray(start, i), DOT);
          start = i;
        }
      }
      if (byte === 0x0a) this.#endLine();
      else if (byte !== 0x0d) this.#blankCandidate = false;
      this.#lastTwo = [this.#lastTwo[1]!, byte];
    }
    out.push(chunk.subarray(start));
    done(null, Buffer.concat(out));
  }

  #endLine(): void {
    if (this.#inBody) this.#bodyLines += 1;
    else if (this.#blankCandidate) this.#inBody = true; // the empty line ending the header
    this.#atLineStart = true;
    this.#blankCandidate = true;
  }

  #reachedLimit(): boolean {
    return (
      this.#maxBodyLines !== undefined && this.#inBody && this.#bodyLines >= this.#maxBodyLines
    );
  }

  override _flush(done: TransformCallback): void {
    const endsWithCrlf = this.#lastTwo[0] === 0x0d && this.#lastTwo[1] === 0x0a;
    done(null, endsWithCrlf || this.#done ? TERMINATOR : Buffer.concat([CRLF, TERMINATOR]));
  }
}

const DOT = Buffer.from('.');
const CRLF = Buffer.from('\r\n');
const TERMINATOR = Buffer.from('.\r\n');

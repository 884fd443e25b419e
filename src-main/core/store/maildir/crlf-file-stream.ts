/**
 * A message too large to read whole, streamed in CRLF: each chunk is read synchronously into
 * the SIMD converter's input (`crlf-simd.ts`), converted there and copied out once. Node's
 * file stream took a thread-pool round trip and a promise per chunk, and the conversion in
 * JavaScript a second Buffer per chunk. A chunk read blocks the event loop as long as one
 * whole small message does (`read-file.ts`); the file is never held in memory whole.
 *
 * A range of the CRLF form (a partial FETCH, `BODY[]<start.length>`) reads no further than
 * its end, and starts at the last place known to lie at or before its start: `WireMarks`
 * remembers, for places in a file where a read ended, the CRLF offset there, learned as the
 * file is converted. A client that downloads a large message in pieces (Thunderbird asks
 * 64 KiB at a time) so reads the file about twice in all, not once per piece.
 */
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { SimdCrlf } from '../crlf-simd.js';

/**
 * Octets read from the file at a time (the converter takes one more). Each chunk is copied out
 * into a Buffer of its own, at most twice this: kept under glibc's mmap threshold (128 KiB),
 * so it is recycled within the heap. Freeing a larger, mmapped Buffer raises that threshold
 * for the process for good, after which freed memory of that size is never given back: 1 MiB
 * chunks left about 60 MiB resident after a full download (measured with /proc/<pid>/smaps).
 */
export const CHUNK_BYTES = 64 * 1024;

/** Octets [start, end) of the message's CRLF form. */
export interface WireRange {
  readonly start: number;
  readonly end: number;
}

/** Octets read at least, when a range ends sooner: a piece's neighbour often comes next. */
const MIN_READ_BYTES = 64 * 1024;
/** Places remembered per file; enough for a 250 MB file read in 64 KiB pieces. */
const WIRE_MARKS_MAX = 4096;

/** A place in a file: its offset, the CRLF offset there, and the octet before it (or -1). */
type WireMark = readonly [file: number, wire: number, before: number];

/**
 * Places in one file whose CRLF offset is known, in file order (the start always). A
 * Maildir file's content never changes, so what was learned stays true while its UID exists.
 */
export class WireMarks {
  readonly #marks: WireMark[] = [[0, 0, -1]];

  /** The last place at or before CRLF offset `wire`. */
  before(wire: number): WireMark {
    let low = 0;
    let high = this.#marks.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.#marks[mid]![1] <= wire) low = mid;
      else high = mid - 1;
    }
    return this.#marks[low]!;
  }

  add(mark: WireMark): void {
    const at = this.#marks.indexOf(this.before(mark[1])) + 1;
    if (this.#marks[at - 1]![0] === mark[0] || this.#marks.length >= WIRE_MARKS_MAX) return;
    this.#marks.splice(at, 0, mark);
  }
}

export class CrlfFileStream extends Readable {
  readonly #handle: FileHandle;
  readonly #simd: SimdCrlf;
  readonly #range: WireRange;
  readonly #marks: WireMarks;
  /** Where the next read begins, in the file and in the CRLF form. */
  #file: number;
  #wire: number;
  /** The file's octet before the next read: a CR there keeps the read's first LF bare. */
  #lastByte: number;

  constructor(
    handle: FileHandle,
    simd: SimdCrlf,
    range: WireRange = { start: 0, end: Infinity },
    marks = new WireMarks(),
  ) {
    super({ highWaterMark: CHUNK_BYTES });
    this.#handle = handle;
    this.#simd = simd;
    this.#range = range;
    this.#marks = marks;
    [this.#file, this.#wire, this.#lastByte] = marks.before(range.start);
  }

  override _read(): void {
    let out: Buffer | null = null;
    try {
      while (!out) {
        const begin = this.#wire;
        const converted = this.#next();
        if (!converted) break; // the end of the file, or of the range
        const from = Math.max(this.#range.start - begin, 0);
        const to = Math.min(this.#range.end - begin, converted.length);
        if (to > from) out = copyOut(converted.subarray(from, to)); // the view is reused
      }
    } catch (err) {
      this.destroy(err as Error);
      return;
    }
    this.push(out);
  }

  /** Reads and converts the next piece; null once past the file's or the range's end. */
  #next(): Uint8Array | null {
    const wanted = this.#range.end - this.#wire; // in CRLF octets: never fewer in the file
    if (wanted <= 0) return null;
    const length = Math.min(CHUNK_BYTES, Math.max(MIN_READ_BYTES, wanted));
    const input = this.#simd.input;
    const read = readSync(this.#handle.fd, input, 0, length, this.#file);
    if (read === 0) return null;
    const converted = this.#simd.convert(read, this.#lastByte);
    this.#lastByte = input[read - 1]!;
    this.#file += read;
    this.#wire += converted.length;
    this.#marks.add([this.#file, this.#wire, this.#lastByte]);
    return converted;
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#handle.close().then(
      () => done(error),
      () => done(error),
    );
  }
}

/** A copy of `view` in a Buffer of its own, not zero-filled first (`Buffer.from` does that). */
function copyOut(view: Uint8Array): Buffer {
  const copy = Buffer.allocUnsafeSlow(view.length);
  copy.set(view);
  return copy;
}

/** Passes octets [start, end) of a stream through (the path without the SIMD converter). */
export function wireRange({ start, end }: WireRange): Transform {
  let position = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const from = Math.max(start - position, 0);
      const to = Math.min(end - position, chunk.length);
      position += chunk.length;
      done(null, to > from ? chunk.subarray(from, to) : undefined);
    },
  });
}

/**
 * A message too large to read whole, streamed in CRLF: each chunk is read synchronously into
 * the SIMD converter's input (`crlf-simd.ts`), converted there and copied out once. Node's
 * file stream took a thread-pool round trip and a promise per chunk, and the conversion in
 * JavaScript a second Buffer per chunk. A chunk read blocks the event loop as long as one
 * whole small message does (`read-file.ts`); the file is never held in memory whole.
 */
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { SimdCrlf } from '../crlf-simd.js';

/** Octets read from the file at a time (the converter takes one more). */
export const CHUNK_BYTES = 1024 * 1024;

export class CrlfFileStream extends Readable {
  readonly #handle: FileHandle;
  readonly #simd: SimdCrlf;
  #position = 0;
  /** The file's octet before the next chunk: a CR there keeps the chunk's first LF bare. */
  #lastByte = -1;

  constructor(handle: FileHandle, simd: SimdCrlf) {
    super({ highWaterMark: CHUNK_BYTES });
    this.#handle = handle;
    this.#simd = simd;
  }

  override _read(): void {
    let chunk: Buffer | null = null;
    try {
      const input = this.#simd.input;
      const read = readSync(this.#handle.fd, input, 0, CHUNK_BYTES, this.#position);
      if (read > 0) {
        this.#position += read;
        chunk = Buffer.from(this.#simd.convert(read, this.#lastByte)); // the view is reused
        this.#lastByte = input[read - 1]!;
      }
    } catch (err) {
      this.destroy(err as Error);
      return;
    }
    this.push(chunk);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#handle.close().then(
      () => done(error),
      () => done(error),
    );
  }
}

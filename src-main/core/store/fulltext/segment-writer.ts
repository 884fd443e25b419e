/**
 * Writes one segment file (layout in segment-format.ts), in the index worker: terms must come
 * in ascending byte order, each with its encoded postings, which go straight to the file; the
 * tables and the term blob follow, then the header. Written under a temporary name, synced,
 * and renamed, so a reader sees a whole segment or none.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { encodeHeader, HEADER_BYTES } from './segment-format.js';

/** Postings are written to the file in chunks of about this size. */
const WRITE_CHUNK_BYTES = 256 * 1024;
/** The term blob's first size; it doubles as terms come. */
const INITIAL_BLOB_BYTES = 1024 * 1024;

/** What a reader keeps of a segment in memory (see segment.ts), as the writer had it. */
export interface SegmentParts {
  readonly file: string;
  readonly uidValidity: number;
  readonly uids: Uint32Array;
  readonly sizes: Uint32Array;
  readonly termOffsets: Uint32Array;
  readonly blob: Uint8Array;
  readonly terms: number;
  /** Where the postings region and the postings offsets table start in the file. */
  readonly postingsAt: number;
  readonly postingOffsetsAt: number;
}

export class SegmentWriter {
  readonly #file: string;
  readonly #temporary: string;
  readonly #fd: number;
  readonly #hash: Hash = createHash('sha256');
  #position = HEADER_BYTES;
  /**
   * Bytes waiting to be written, in one buffer reused for every chunk: a merge of millions
   * of terms allocates no buffer per term (many small allocations in a worker thread leave
   * the process's memory fragmented after the thread ends).
   */
  readonly #chunk = Buffer.allocUnsafeSlow(WRITE_CHUNK_BYTES);
  #chunkBytes = 0;
  #postingsBytes = 0;
  readonly #termOffsets: number[] = [0];
  readonly #postingOffsets: number[] = [0];
  #blob = Buffer.allocUnsafeSlow(INITIAL_BLOB_BYTES);
  #blobBytes = 0;
  #lastTermAt = -1;

  constructor(file: string) {
    this.#file = file;
    this.#temporary = `${file}.tmp`;
    this.#fd = openSync(this.#temporary, 'w', 0o600);
  }

  /** One term (UTF-8) and its encoded postings; terms ascend bytewise. */
  add(term: Uint8Array, postings: Uint8Array): void {
    const start = this.#blobBytes;
    if (
      this.#lastTermAt >= 0 &&
      this.#blob.compare(term, 0, term.length, this.#lastTermAt, start) >= 0
    )
      throw new Error('segment terms out of order');
    this.#lastTermAt = start;
    this.#appendTerm(term);
    this.#termOffsets.push(this.#blobBytes);
    this.#postingsBytes += postings.length;
    this.#postingOffsets.push(this.#postingsBytes);
    this.#write(postings);
  }

  #appendTerm(term: Uint8Array): void {
    if (this.#blobBytes + term.length > this.#blob.length) {
      const grown = Buffer.allocUnsafeSlow(
        Math.max(this.#blob.length * 2, this.#blobBytes + term.length),
      );
      this.#blob.copy(grown, 0, 0, this.#blobBytes);
      this.#blob = grown;
    }
    this.#blob.set(term, this.#blobBytes);
    this.#blobBytes += term.length;
  }

  /** Writes the tables and the header, and puts the file in place; the parts to keep. */
  finish(uidValidity: number, uids: Uint32Array, sizes: Uint32Array): SegmentParts {
    try {
      const postingsEnd = this.#position + this.#chunkBytes;
      const termOffsets = Uint32Array.from(this.#termOffsets);
      const blob = this.#blob.subarray(0, this.#blobBytes);
      for (const table of [uids, sizes, termOffsets, Uint32Array.from(this.#postingOffsets)])
        this.#write(littleEndian(table));
      this.#write(blob);
      this.#flush();
      const terms = termOffsets.length - 1;
      const header = encodeHeader(
        {
          uidValidity,
          covered: uids.length,
          terms,
          blobBytes: blob.length,
          postingsBytes: this.#postingsBytes,
        },
        this.#hash.digest(),
      );
      writeAll(this.#fd, header, 0);
      fsyncSync(this.#fd);
      closeSync(this.#fd);
      renameSync(this.#temporary, this.#file);
      const postingOffsetsAt = postingsEnd + 8 * uids.length + 4 * (terms + 1);
      return {
        file: this.#file,
        uidValidity,
        uids,
        sizes,
        termOffsets,
        blob,
        terms,
        postingsAt: HEADER_BYTES,
        postingOffsetsAt,
      };
    } catch (err) {
      this.abandon();
      throw err;
    }
  }

  /** Closes and removes the temporary file (a failed build or merge). */
  abandon(): void {
    try {
      closeSync(this.#fd);
    } catch {
      // closed already
    }
    rmSync(this.#temporary, { force: true });
  }

  /** Appends to the file through the chunk buffer (larger pieces go straight through). */
  #write(bytes: Uint8Array): void {
    if (this.#chunkBytes + bytes.length > this.#chunk.length) this.#flush();
    if (bytes.length > this.#chunk.length) {
      this.#hash.update(bytes);
      writeAll(this.#fd, bytes, this.#position);
      this.#position += bytes.length;
      return;
    }
    this.#chunk.set(bytes, this.#chunkBytes);
    this.#chunkBytes += bytes.length;
  }

  #flush(): void {
    const bytes = this.#chunk.subarray(0, this.#chunkBytes);
    this.#hash.update(bytes);
    writeAll(this.#fd, bytes, this.#position);
    this.#position += bytes.length;
    this.#chunkBytes = 0;
  }
}

/** The table's bytes in the file's byte order (little-endian, whatever the machine's). */
function littleEndian(table: Uint32Array): Buffer {
  const out = Buffer.allocUnsafe(table.length * 4);
  for (let i = 0; i < table.length; i++) out.writeUInt32LE(table[i]!, i * 4);
  return out;
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length;) {
    done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  }
}

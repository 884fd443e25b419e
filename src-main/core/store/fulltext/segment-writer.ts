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
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #postingsBytes = 0;
  readonly #termOffsets: number[] = [0];
  readonly #postingOffsets: number[] = [0];
  readonly #blob: Buffer[] = [];
  #blobBytes = 0;
  #lastTerm: Buffer | undefined;

  constructor(file: string) {
    this.#file = file;
    this.#temporary = `${file}.tmp`;
    this.#fd = openSync(this.#temporary, 'w', 0o600);
  }

  /** One term (UTF-8) and its encoded postings; terms ascend bytewise. */
  add(term: Buffer, postings: Uint8Array): void {
    if (this.#lastTerm && Buffer.compare(this.#lastTerm, term) >= 0)
      throw new Error('segment terms out of order');
    this.#lastTerm = term;
    this.#blob.push(term);
    this.#blobBytes += term.length;
    this.#termOffsets.push(this.#blobBytes);
    this.#postingsBytes += postings.length;
    this.#postingOffsets.push(this.#postingsBytes);
    this.#write(Buffer.from(postings.buffer, postings.byteOffset, postings.length), false);
  }

  /** Writes the tables and the header, and puts the file in place; the parts to keep. */
  finish(uidValidity: number, uids: Uint32Array, sizes: Uint32Array): SegmentParts {
    try {
      const postingsEnd = this.#position + this.#pendingBytes;
      const termOffsets = Uint32Array.from(this.#termOffsets);
      const blob = Buffer.concat(this.#blob, this.#blobBytes);
      for (const table of [uids, sizes, termOffsets, Uint32Array.from(this.#postingOffsets)])
        this.#write(littleEndian(table), false);
      this.#write(blob, true);
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

  #write(bytes: Buffer, flush: boolean): void {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    if (!flush && this.#pendingBytes < WRITE_CHUNK_BYTES) return;
    const chunk = Buffer.concat(this.#pending, this.#pendingBytes);
    this.#hash.update(chunk);
    writeAll(this.#fd, chunk, this.#position);
    this.#position += chunk.length;
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}

/** The table's bytes in the file's byte order (little-endian, whatever the machine's). */
function littleEndian(table: Uint32Array): Buffer {
  const out = Buffer.allocUnsafe(table.length * 4);
  for (let i = 0; i < table.length; i++) out.writeUInt32LE(table[i]!, i * 4);
  return out;
}

function writeAll(fd: number, bytes: Buffer, position: number): void {
  for (let done = 0; done < bytes.length;) {
    done += writeSync(fd, bytes, done, bytes.length - done, position + done);
  }
}

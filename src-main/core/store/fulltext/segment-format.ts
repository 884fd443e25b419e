/**
 * The file of one full-text segment (issue 16): immutable, written once by the index worker,
 * disposable (a damaged one is deleted and its messages indexed again). Integers are u32
 * little-endian; offsets count bytes from the start of their region.
 *
 *   header (HEADER_BYTES): magic · uidValidity · covered count n · term count t · term blob
 *     bytes · postings bytes · 0 · SHA-256 of (header bytes 0..32 ‖ SHA-256 of everything after
 *     the header)
 *   postings: per term, delta varints of `(uid - previous uid) * 2 + inBody`, ascending UIDs
 *   covered UIDs (n, ascending) · their wire sizes (n)
 *   term offsets (t + 1) into the term blob · postings offsets (t + 1) into the postings
 *   term blob: the terms' UTF-8 bytes back to back, sorted bytewise
 *
 * Postings come first so that a writer streams them to the file and writes the small tables
 * after; a reader keeps the covered UIDs, term offsets and term blob in memory and reads
 * postings (and their offsets) from the file when a query needs them.
 */
import { createHash } from 'node:crypto';

export const SEGMENT_MAGIC = Buffer.from('MPFTS002', 'latin1');
export const HEADER_BYTES = 64;
const DIGEST_AT = 32;
const DIGEST_BYTES = 32;
/** UIDs are 32-bit (RFC 3501 §2.3.1.1). */
const MAX_UID = 0xffff_ffff;

export interface SegmentHeader {
  readonly uidValidity: number;
  readonly covered: number;
  readonly terms: number;
  readonly blobBytes: number;
  readonly postingsBytes: number;
}

/** Where each region starts in the file. */
export interface SegmentLayout {
  readonly postingsAt: number;
  readonly uidsAt: number;
  readonly sizesAt: number;
  readonly termOffsetsAt: number;
  readonly postingOffsetsAt: number;
  readonly blobAt: number;
  readonly end: number;
}

export function segmentLayout(h: SegmentHeader): SegmentLayout {
  const postingsAt = HEADER_BYTES;
  const uidsAt = postingsAt + h.postingsBytes;
  const sizesAt = uidsAt + 4 * h.covered;
  const termOffsetsAt = sizesAt + 4 * h.covered;
  const postingOffsetsAt = termOffsetsAt + 4 * (h.terms + 1);
  const blobAt = postingOffsetsAt + 4 * (h.terms + 1);
  return {
    postingsAt,
    uidsAt,
    sizesAt,
    termOffsetsAt,
    postingOffsetsAt,
    blobAt,
    end: blobAt + h.blobBytes,
  };
}

/** The header's bytes, its digest binding the header fields to the digest of the body. */
export function encodeHeader(h: SegmentHeader, bodyDigest: Buffer): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  SEGMENT_MAGIC.copy(out, 0);
  out.writeUInt32LE(h.uidValidity, 8);
  out.writeUInt32LE(h.covered, 12);
  out.writeUInt32LE(h.terms, 16);
  out.writeUInt32LE(h.blobBytes, 20);
  out.writeUInt32LE(h.postingsBytes, 24);
  headerDigest(out, bodyDigest).copy(out, DIGEST_AT);
  return out;
}

function headerDigest(header: Buffer, bodyDigest: Buffer): Buffer {
  return createHash('sha256')
    .update(header.subarray(0, DIGEST_AT))
    .update(bodyDigest)
    .digest()
    .subarray(0, DIGEST_BYTES);
}

/** The header of a whole segment file, or undefined when the file is not one, intact. */
export function checkSegment(file: Buffer): SegmentHeader | undefined {
  if (file.length < HEADER_BYTES || !file.subarray(0, 8).equals(SEGMENT_MAGIC)) return undefined;
  const header: SegmentHeader = {
    uidValidity: file.readUInt32LE(8),
    covered: file.readUInt32LE(12),
    terms: file.readUInt32LE(16),
    blobBytes: file.readUInt32LE(20),
    postingsBytes: file.readUInt32LE(24),
  };
  if (segmentLayout(header).end !== file.length) return undefined;
  const body = createHash('sha256').update(file.subarray(HEADER_BYTES)).digest();
  const digest = headerDigest(file, body);
  return digest.equals(file.subarray(DIGEST_AT, DIGEST_AT + DIGEST_BYTES)) ? header : undefined;
}

/** Appends one varint (values up to 2^53) to `out` at `at`; returns the offset after it. */
export function writeVarint(value: number, out: Uint8Array, at: number): number {
  let v = value;
  let i = at;
  while (v >= 0x80) {
    out[i++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[i++] = v;
  return i;
}

/**
 * Calls `visit` with each entry `uid * 2 + inBody` of one encoded posting list; false when
 * the bytes are not a valid list (a truncated varint, UIDs not ascending).
 */
export function forEachEntry(bytes: Uint8Array, visit: (entry: number) => void): boolean {
  let uid = 0;
  let value = 0;
  let scale = 1;
  for (const byte of bytes) {
    value += (byte & 0x7f) * scale;
    if (byte & 0x80) {
      scale *= 0x80;
      if (scale > 2 ** 35) return false;
      continue;
    }
    const delta = Math.floor(value / 2);
    uid += delta;
    if (delta === 0 || uid > MAX_UID) return false; // UIDs ascend, and are 32-bit

    visit(uid * 2 + (value % 2));
    value = 0;
    scale = 1;
  }
  return scale === 1;
}

/**
 * Reads a whole segment file in the index worker: checks its digest and tables, and gives the
 * parts a reader keeps in memory, or each term's postings for a merge. A file that is not a
 * whole, intact segment reads as undefined (the caller deletes it and indexes again).
 */
import { readFileSync, statSync } from 'node:fs';
import { MAX_SEGMENT_FILE_BYTES } from './limits.js';
import { checkSegment, segmentLayout, type SegmentLayout } from './segment-format.js';
import type { SegmentParts } from './segment-writer.js';

export interface LoadedSegment {
  readonly parts: SegmentParts;
  readonly bytes: Buffer;
  readonly layout: SegmentLayout;
  readonly postingOffsets: Uint32Array;
}

export function loadSegment(file: string): LoadedSegment | undefined {
  let bytes: Buffer;
  try {
    if (statSync(file).size > MAX_SEGMENT_FILE_BYTES) return undefined;
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const header = checkSegment(bytes);
  if (!header) return undefined;
  const layout = segmentLayout(header);
  const uids = table(bytes, layout.uidsAt, header.covered);
  const sizes = table(bytes, layout.sizesAt, header.covered);
  const termOffsets = table(bytes, layout.termOffsetsAt, header.terms + 1);
  const postingOffsets = table(bytes, layout.postingOffsetsAt, header.terms + 1);
  if (
    !ascending(uids, true) ||
    !bounded(termOffsets, header.blobBytes) ||
    !bounded(postingOffsets, header.postingsBytes)
  )
    return undefined;
  const blob = new Uint8Array(bytes.subarray(layout.blobAt, layout.end));
  return {
    parts: {
      file,
      uidValidity: header.uidValidity,
      uids,
      sizes,
      termOffsets,
      blob,
      terms: header.terms,
      postingsAt: layout.postingsAt,
      postingOffsetsAt: layout.postingOffsetsAt,
    },
    bytes,
    layout,
    postingOffsets,
  };
}

/** The postings bytes of term `t` of a loaded segment. */
export function termPostings(segment: LoadedSegment, t: number): Buffer {
  const at = segment.layout.postingsAt;
  return segment.bytes.subarray(
    at + segment.postingOffsets[t]!,
    at + segment.postingOffsets[t + 1]!,
  );
}

/** The UTF-8 bytes of term `t` of a loaded segment. */
export function termBytes(segment: LoadedSegment, t: number): Buffer {
  const { blob, termOffsets } = segment.parts;
  return Buffer.from(
    blob.buffer,
    blob.byteOffset + termOffsets[t]!,
    termOffsets[t + 1]! - termOffsets[t]!,
  );
}

function table(bytes: Buffer, at: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = bytes.readUInt32LE(at + 4 * i);
  return out;
}

function ascending(values: Uint32Array, strictly: boolean): boolean {
  for (let i = 1; i < values.length; i++)
    if (values[i]! < values[i - 1]! || (strictly && values[i] === values[i - 1])) return false;
  return true;
}

/** Offsets from 0, never decreasing, ending at `end`. */
function bounded(offsets: Uint32Array, end: number): boolean {
  return offsets[0] === 0 && offsets[offsets.length - 1] === end && ascending(offsets, false);
}

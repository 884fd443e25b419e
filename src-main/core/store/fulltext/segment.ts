/**
 * One full-text segment as the main thread holds it: the covered UIDs with their sizes, the
 * term offsets and the term blob, all in typed arrays off the V8 heap. Postings (and their
 * offsets) stay in the file and are read at an offset when a query needs them.
 *
 * A fragment of a SEARCH string (terms.ts) is looked up in the blob natively: a whole word and
 * a prefix by binary search (terms are sorted bytewise, so a prefix's terms are one range), a
 * suffix and a substring with `Buffer.indexOf`, each hit mapped to its term by a binary search
 * in the offsets (a hit across two terms is not one). UTF-8 is self-synchronizing, so a byte
 * match of a whole fragment is a character match.
 */
import { open, type FileHandle } from 'node:fs/promises';
import {
  FEW_CANDIDATES,
  MAX_TERMS_PER_FRAGMENT,
  POSTINGS_READ_GAP_BYTES,
  POSTINGS_READ_MAX_BYTES,
} from './limits.js';
import { forEachEntry } from './segment-format.js';
import type { SegmentParts } from './segment-writer.js';
import type { Fragment } from './terms.js';

const FRAGMENT_ORDER: Readonly<Record<Fragment['kind'], number>> = {
  whole: 0,
  prefix: 1,
  suffix: 2,
  inside: 3,
};

export class Segment {
  readonly file: string;
  readonly uidValidity: number;
  readonly #uids: Uint32Array;
  readonly #sizes: Uint32Array;
  readonly #termOffsets: Uint32Array;
  readonly #blob: Buffer;
  readonly #terms: number;
  readonly #postingsAt: number;
  readonly #postingOffsetsAt: number;

  constructor(parts: SegmentParts) {
    this.file = parts.file;
    this.uidValidity = parts.uidValidity;
    this.#uids = parts.uids;
    this.#sizes = parts.sizes;
    this.#termOffsets = parts.termOffsets;
    this.#blob = Buffer.from(parts.blob.buffer, parts.blob.byteOffset, parts.blob.length);
    this.#terms = parts.terms;
    this.#postingsAt = parts.postingsAt;
    this.#postingOffsetsAt = parts.postingOffsetsAt;
  }

  get coveredCount(): number {
    return this.#uids.length;
  }

  /** The bytes this segment holds in memory (all of it off the V8 heap). */
  get memoryBytes(): number {
    return (
      this.#uids.byteLength +
      this.#sizes.byteLength +
      this.#termOffsets.byteLength +
      this.#blob.byteLength
    );
  }

  get highestUid(): number {
    return this.#uids[this.#uids.length - 1] ?? 0;
  }

  /** Whether the message is in this segment; `size` undefined: at any size. */
  covers(uid: number, size?: number): boolean {
    const i = lowerBound(this.#uids, uid);
    return this.#uids[i] === uid && (size === undefined || this.#sizes[i] === size);
  }

  /**
   * The covered messages that may hold every fragment (in body text only, when `bodyOnly`),
   * or undefined when no fragment narrows here. Reads stop once `enough` are left.
   */
  async candidates(
    fragments: readonly Fragment[],
    bodyOnly: boolean,
    enough = FEW_CANDIDATES,
  ): Promise<Set<number> | undefined> {
    const ordered = [...fragments].sort((a, b) => FRAGMENT_ORDER[a.kind] - FRAGMENT_ORDER[b.kind]);
    let found: Set<number> | undefined;
    const file = await open(this.file, 'r');
    try {
      for (const fragment of ordered) {
        const terms = this.termsFor(fragment);
        if (!terms) continue;
        const next = new Set<number>();
        await this.#forEachPosting(file, terms, (entry) => {
          const uid = Math.floor(entry / 2);
          if ((entry % 2 === 1 || !bodyOnly) && (!found || found.has(uid))) next.add(uid);
        });
        found = next;
        if (found.size <= enough) break; // reading them costs less than more lookups
      }
    } finally {
      await file.close();
    }
    return found;
  }

  /** Term numbers (ascending) whose words can hold the fragment; undefined past the bound. */
  termsFor(fragment: Fragment): number[] | undefined {
    const needle = Buffer.from(fragment.text, 'utf8');
    if (fragment.kind === 'whole' || fragment.kind === 'prefix') {
      const first = this.#firstTermNotBelow(needle);
      const terms: number[] = [];
      for (let t = first; t < this.#terms && this.#termStartsWith(t, needle); t++) {
        if (fragment.kind === 'whole' && this.#termLength(t) !== needle.length) break;
        if (terms.push(t) > MAX_TERMS_PER_FRAGMENT) return undefined;
      }
      return terms;
    }
    const terms: number[] = [];
    for (let at = this.#blob.indexOf(needle); at !== -1;) {
      const t = upperBound(this.#termOffsets, at) - 1;
      const end = this.#termOffsets[t + 1]!;
      const fits =
        fragment.kind === 'suffix' ? at + needle.length === end : at + needle.length <= end;
      if (fits && terms.push(t) > MAX_TERMS_PER_FRAGMENT) return undefined;
      at = this.#blob.indexOf(needle, fits ? end : at + 1);
    }
    return terms;
  }

  #termLength(t: number): number {
    return this.#termOffsets[t + 1]! - this.#termOffsets[t]!;
  }

  #termStartsWith(t: number, needle: Buffer): boolean {
    const start = this.#termOffsets[t]!;
    if (this.#termLength(t) < needle.length) return false;
    return this.#blob.compare(needle, 0, needle.length, start, start + needle.length) === 0;
  }

  /** The first term bytewise at or above `needle` (the terms are sorted). */
  #firstTermNotBelow(needle: Buffer): number {
    let low = 0;
    let high = this.#terms;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const start = this.#termOffsets[mid]!;
      const end = this.#termOffsets[mid + 1]!;
      // The term (the blob's bytes) against the needle: below it, the answer is further on.
      if (this.#blob.compare(needle, 0, needle.length, start, end) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /**
   * Calls `visit` with every posting entry of these terms (ascending term numbers), reading
   * their offsets, then their postings, in as few reads as the gaps allow.
   */
  async #forEachPosting(
    file: FileHandle,
    terms: readonly number[],
    visit: (entry: number) => void,
  ): Promise<void> {
    const bounds = new Map<number, [number, number]>();
    const offsetRanges = terms.map(
      (t) => [this.#postingOffsetsAt + 4 * t, this.#postingOffsetsAt + 4 * t + 8] as const,
    );
    await readRanges(file, offsetRanges, (i, bytes) => {
      bounds.set(terms[i]!, [bytes.readUInt32LE(0), bytes.readUInt32LE(4)]);
    });
    const postingRanges = terms.map((t) => {
      const [start, end] = bounds.get(t)!;
      return [this.#postingsAt + start, this.#postingsAt + end] as const;
    });
    await readRanges(file, postingRanges, (_i, bytes) => {
      if (!forEachEntry(bytes, visit)) throw new Error(`damaged postings in ${this.file}`);
    });
  }
}

/**
 * Reads ascending, non-overlapping byte ranges of a file, one read for ranges closer than
 * POSTINGS_READ_GAP_BYTES; calls `take` with each range's bytes, in order.
 */
async function readRanges(
  file: FileHandle,
  ranges: readonly (readonly [number, number])[],
  take: (index: number, bytes: Buffer) => void,
): Promise<void> {
  for (let first = 0; first < ranges.length;) {
    let last = first;
    while (
      last + 1 < ranges.length &&
      ranges[last + 1]![0] - ranges[last]![1] <= POSTINGS_READ_GAP_BYTES &&
      ranges[last + 1]![1] - ranges[first]![0] <= POSTINGS_READ_MAX_BYTES
    )
      last += 1;
    const start = ranges[first]![0];
    const end = ranges[last]![1];
    const bytes = Buffer.allocUnsafe(end - start);
    const { bytesRead } = await file.read(bytes, 0, bytes.length, start);
    if (bytesRead !== bytes.length) throw new Error('segment file shorter than its tables');
    for (let i = first; i <= last; i++)
      take(i, bytes.subarray(ranges[i]![0] - start, ranges[i]![1] - start));
    first = last + 1;
  }
}

/** The first index whose value is at least `value` (ascending values). */
function lowerBound(values: Uint32Array, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The first index whose value is above `value` (ascending values). */
function upperBound(values: Uint32Array, value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (values[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Building and merging segments, in the index worker (never on the main thread: the words of
 * thousands of messages would otherwise grow the sessions' heap).
 *
 * A build reads each message file, takes the words of the same decoded, folded text the SEARCH
 * matcher searches (`allHeaderText`, `bodyText`: see terms.ts), and writes one segment of the
 * messages it could read. A merge writes one segment holding several, term by term in byte
 * order; a UID in more than one input (a segment written twice) is kept once.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { allHeaderText, bodyText, foldText } from '../../mime/search-text.js';
import { parseMessage } from '../../mime/structure.js';
import { toCrlf, WireSizeCounter } from '../crlf.js';
import { MAX_INDEXED_FILE_BYTES } from './limits.js';
import { forEachEntry, writeVarint } from './segment-format.js';
import { loadSegment, termBytes, termPostings, type LoadedSegment } from './segment-reader.js';
import { SegmentWriter, type SegmentParts } from './segment-writer.js';
import { addTerms } from './terms.js';

/** A varint of `delta * 2 + 1` with a 32-bit delta takes at most 5 bytes. */
const MAX_ENTRY_BYTES = 5;

export interface BuildItem {
  readonly uid: number;
  readonly path: string;
}

/** A segment of the messages in `items` that could be indexed; undefined when none could. */
export function buildSegment(
  file: string,
  uidValidity: number,
  items: readonly BuildItem[],
): SegmentParts | undefined {
  const postings = new Map<string, number[]>();
  const uids: number[] = [];
  const sizes: number[] = [];
  for (const { uid, path } of [...items].sort((a, b) => a.uid - b.uid)) {
    if (uid <= (uids.at(-1) ?? 0)) continue;
    const indexed = indexMessage(path);
    if (!indexed) continue; // unreadable, too large, a word too long: searches read it
    for (const term of indexed.all) {
      const entry = uid * 2 + (indexed.body.has(term) ? 1 : 0);
      const list = postings.get(term);
      if (list) list.push(entry);
      else postings.set(term, [entry]);
    }
    uids.push(uid);
    sizes.push(indexed.wireSize);
  }
  if (uids.length === 0) return undefined;
  const terms = [...postings.keys()].map((t) => Buffer.from(t, 'utf8')).sort(Buffer.compare);
  const writer = new SegmentWriter(file);
  try {
    for (const term of terms) writer.add(term, encodeEntries(postings.get(term.toString())!));
  } catch (err) {
    writer.abandon();
    throw err;
  }
  return writer.finish(uidValidity, Uint32Array.from(uids), Uint32Array.from(sizes));
}

interface IndexedMessage {
  readonly wireSize: number;
  /** Words of the body text (BODY), and of the body text and all headers (TEXT). */
  readonly body: Set<string>;
  readonly all: Set<string>;
}

function indexMessage(path: string): IndexedMessage | undefined {
  const stored = readWhole(path);
  if (!stored) return undefined;
  const counter = new WireSizeCounter();
  counter.add(stored);
  const message = toCrlf(stored);
  try {
    const root = parseMessage(message);
    const body = new Set<string>();
    const all = new Set<string>();
    if (!addTerms(foldText(bodyText(message, root)), body)) return undefined;
    if (!addTerms(foldText(allHeaderText(message, root)), all)) return undefined;
    for (const term of body) all.add(term);
    return { wireSize: counter.size, body, all };
  } catch {
    return undefined; // a message the parser refuses: the matcher reads it as it can
  }
}

function readWhole(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined; // renamed (a flag change) or expunged meanwhile
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_INDEXED_FILE_BYTES) return undefined;
    const bytes = Buffer.allocUnsafe(size);
    let length = 0;
    while (length < size) {
      const n = readSync(fd, bytes, length, size - length, length);
      if (n === 0) break;
      length += n;
    }
    return length === size ? bytes : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Where `encodeEntries` writes, grown as needed (no allocation per term). */
let scratch = Buffer.allocUnsafeSlow(64 * 1024);

/** Delta varints of ascending entries `uid * 2 + inBody` (valid until the next call). */
function encodeEntries(entries: readonly number[]): Uint8Array {
  const bound = entries.length * MAX_ENTRY_BYTES;
  if (bound > scratch.length) scratch = Buffer.allocUnsafeSlow(Math.max(bound, scratch.length * 2));
  const out = scratch;
  let at = 0;
  let previous = 0;
  for (const entry of entries) {
    const uid = Math.floor(entry / 2);
    at = writeVarint((uid - previous) * 2 + (entry % 2), out, at);
    previous = uid;
  }
  return out.subarray(0, at);
}

/**
 * One segment holding every input; undefined with the damaged inputs when one cannot be read
 * (the caller drops them and merges again).
 */
export function mergeSegments(
  file: string,
  inputs: readonly string[],
): { parts: SegmentParts } | { damaged: string[] } {
  const loaded = inputs.map((path) => ({ path, segment: loadSegment(path) }));
  const damaged = loaded.filter((l) => !l.segment).map((l) => l.path);
  if (damaged.length > 0) return { damaged };
  const segments = loaded.map((l) => l.segment!);
  const uidValidity = segments[0]!.parts.uidValidity;
  const writer = new SegmentWriter(file);
  try {
    const next = segments.map(() => 0);
    for (;;) {
      const lowest = lowestTerm(segments, next);
      if (!lowest) break;
      const entries = new Map<number, number>(); // uid → inBody, over every input with the term
      segments.forEach((segment, i) => {
        if (next[i]! >= segment.parts.terms) return;
        if (!termBytes(segment, next[i]!).equals(lowest)) return;
        forEachEntry(termPostings(segment, next[i]!), (entry) => {
          const uid = Math.floor(entry / 2);
          entries.set(uid, (entries.get(uid) ?? 0) | (entry % 2));
        });
        next[i]! += 1;
      });
      const sorted = [...entries].sort((a, b) => a[0] - b[0]).map(([uid, b]) => uid * 2 + b);
      writer.add(lowest, encodeEntries(sorted));
    }
  } catch (err) {
    writer.abandon();
    throw err;
  }
  const { uids, sizes } = mergeCovered(segments);
  return { parts: writer.finish(uidValidity, uids, sizes) };
}

function lowestTerm(
  segments: readonly LoadedSegment[],
  next: readonly number[],
): Buffer | undefined {
  let lowest: Buffer | undefined;
  segments.forEach((segment, i) => {
    if (next[i]! >= segment.parts.terms) return;
    const term = termBytes(segment, next[i]!);
    if (!lowest || Buffer.compare(term, lowest) < 0) lowest = term;
  });
  return lowest;
}

function mergeCovered(segments: readonly LoadedSegment[]): {
  uids: Uint32Array;
  sizes: Uint32Array;
} {
  const covered = new Map<number, number>();
  for (const { parts } of segments)
    parts.uids.forEach((uid, i) => {
      if (!covered.has(uid)) covered.set(uid, parts.sizes[i]!);
    });
  const uids = Uint32Array.from(covered.keys()).sort();
  return { uids, sizes: uids.map((uid) => covered.get(uid)!) };
}

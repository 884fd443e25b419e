/**
 * Files on disk may end lines with LF alone; the wire always carries CRLF (RFC 5322 §2.3).
 * A bare LF becomes CRLF; a CR already before an LF is kept; a lone CR is left as it is.
 * `wireSize` counts exactly what `CrlfTransform` emits.
 *
 * The conversion works on Buffers only: native `indexOf` finds each LF and the runs between
 * are copied once, straight into the memory that goes to the socket. (A latin1 string and
 * `replaceAll` was tried: the result is a rope that every later reader flattens, a second
 * copy, and a string over 128 KiB lives in V8's large-object space until a full collection.)
 * A file whose lines already end in CRLF is one copy, with no per-line work.
 */
import { Transform, type TransformCallback } from 'node:stream';

const LF = 0x0a;
const CR = 0x0d;

export class CrlfTransform extends Transform {
  #lastByte = -1;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const out = insertCr(chunk, this.#lastByte);
    if (chunk.length > 0) this.#lastByte = chunk[chunk.length - 1]!;
    done(null, out);
  }
}

/** Counts the octets `CrlfTransform` would emit; feed it chunks in order. */
export class WireSizeCounter {
  #size = 0;
  #lastByte = -1;

  add(chunk: Uint8Array): void {
    this.#size += chunk.length + missingCrs(chunk, this.#lastByte);
    if (chunk.length > 0) this.#lastByte = chunk[chunk.length - 1]!;
  }

  get size(): number {
    return this.#size;
  }
}

export function toCrlf(data: Buffer): Buffer {
  return insertCr(data, -1);
}

/** The length of `data` on the wire: one more octet for every LF without a CR before it. */
export function crlfLength(data: Uint8Array): number {
  return data.length + missingCrs(data, -1);
}

/** Fills `target`, exactly `crlfLength(data)` octets long, with `data` in CRLF. */
export function copyAsCrlf(data: Buffer, target: Buffer): void {
  convertInto(data, -1, target);
}

/** LFs in `data` without a CR before them (`before` is the octet that preceded `data`). */
function missingCrs(data: Uint8Array, before: number): number {
  let missing = 0;
  for (let i = data.indexOf(LF); i !== -1; i = data.indexOf(LF, i + 1)) {
    if ((i > 0 ? data[i - 1] : before) !== CR) missing += 1;
  }
  return missing;
}

/** `data` with a CR before every LF that lacks one; `data` itself when none does. */
function insertCr(data: Buffer, before: number): Buffer {
  const missing = missingCrs(data, before);
  if (missing === 0) return data;
  const out = Buffer.allocUnsafe(data.length + missing);
  convertInto(data, before, out);
  return out;
}

/**
 * `target` is `data` plus one octet per missing CR. `data` is copied to its end in one go,
 * then each run up to a bare LF is moved forward within `target` (`copyWithin`: no
 * allocation, unlike `Buffer.copy` from a slice) with the CR put in. A run never overtakes
 * unread input: the write position stays behind the read position by the CRs still missing.
 */
function convertInto(data: Buffer, before: number, target: Buffer): void {
  const start = target.length - data.length;
  data.copy(target, start);
  if (start === 0) return; // already CRLF, or no LF at all
  let from = start;
  let to = 0;
  for (let i = target.indexOf(LF, start); i !== -1; i = target.indexOf(LF, i + 1)) {
    if ((i > start ? target[i - 1] : before) === CR) continue; // kept in the run
    target.copyWithin(to, from, i);
    to += i - from;
    target[to++] = CR;
    target[to++] = LF;
    from = i + 1;
  }
  target.copyWithin(to, from);
}

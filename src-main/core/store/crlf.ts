/**
 * Files on disk may end lines with LF alone; the wire always carries CRLF (RFC 5322 §2.3).
 * A bare LF becomes CRLF; a CR already before an LF is kept; a lone CR is left as it is.
 * `wireSize` counts exactly what `CrlfTransform` emits.
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
    this.#size += chunk.length;
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
      const before = i > 0 ? chunk[i - 1] : this.#lastByte;
      if (before !== CR) this.#size += 1;
    }
    if (chunk.length > 0) this.#lastByte = chunk[chunk.length - 1]!;
  }

  get size(): number {
    return this.#size;
  }
}

export function toCrlf(data: Buffer): Buffer {
  return insertCr(data, -1);
}

/**
 * The same bytes as `toCrlf`, as a latin1 string (one character per octet). A string lives
 * in V8's young generation and dies cheaply; a Buffer per message is memory outside the heap,
 * whose churn forces full garbage collections that grow with the heap (measured: a 3 GB
 * download from a 100,000-message folder took 2.5 times the CPU through Buffers).
 */
export function toCrlfText(data: Buffer): string {
  if (data.length <= STRING_PATH_MAX && data.indexOf(CR) === -1)
    return data.toString('latin1').replaceAll('\n', '\r\n');
  return insertCr(data, -1).toString('latin1');
}

/** Above this, the string fast path is not used (V8 strings have a length limit). */
const STRING_PATH_MAX = 64 * 1024 * 1024;

/**
 * `data` with a CR before every LF that lacks one (`before` is the byte that preceded `data`).
 * Files without any CR (most Maildirs store LF) take V8's native string replace, about twice
 * as fast as copying line by line; others are copied once, run by run.
 */
function insertCr(data: Buffer, before: number): Buffer {
  if (
    data.length <= STRING_PATH_MAX &&
    data.indexOf(CR) === -1 &&
    !(before === CR && data[0] === LF)
  ) {
    if (data.indexOf(LF) === -1) return data;
    return Buffer.from(data.toString('latin1').replaceAll('\n', '\r\n'), 'latin1');
  }
  let missing = 0;
  for (let i = data.indexOf(LF); i !== -1; i = data.indexOf(LF, i + 1)) {
    if ((i > 0 ? data[i - 1] : before) !== CR) missing += 1;
  }
  if (missing === 0) return data;
  const out = Buffer.allocUnsafe(data.length + missing);
  let from = 0;
  let to = 0;
  for (let i = data.indexOf(LF); i !== -1; i = data.indexOf(LF, i + 1)) {
    if ((i > 0 ? data[i - 1] : before) === CR) continue;
    to += data.copy(out, to, from, i);
    out[to++] = CR;
    out[to++] = LF;
    from = i + 1;
  }
  data.copy(out, to, from);
  return out;
}

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
    let start = 0;
    const parts: Buffer[] = [];
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
      const before = i > 0 ? chunk[i - 1] : this.#lastByte;
      if (before === CR) continue;
      parts.push(chunk.subarray(start, i), CRLF_BYTES);
      start = i + 1;
    }
    if (chunk.length > 0) this.#lastByte = chunk[chunk.length - 1]!;
    if (parts.length === 0) {
      done(null, chunk);
      return;
    }
    parts.push(chunk.subarray(start));
    done(null, Buffer.concat(parts));
  }
}

const CRLF_BYTES = Buffer.from('\r\n');

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
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = data.indexOf(LF); i !== -1; i = data.indexOf(LF, i + 1)) {
    if (i > 0 && data[i - 1] === CR) continue;
    parts.push(data.subarray(start, i), CRLF_BYTES);
    start = i + 1;
  }
  if (parts.length === 0) return data;
  parts.push(data.subarray(start));
  return Buffer.concat(parts);
}

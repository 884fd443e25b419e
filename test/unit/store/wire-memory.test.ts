import { describe, expect, it } from 'vitest';
import {
  convertToWire,
  SLAB_BYTES,
  takeWireMemory,
} from '../../../src-main/core/store/wire-memory.js';
import { simdCrlf } from '../../../src-main/core/store/crlf-simd.js';
import { toCrlf } from '../../../src-main/core/store/crlf.js';
import type { WireBytes } from '../../../src-main/core/store/types.js';

function filled(length: number, value: number): WireBytes {
  const wire = takeWireMemory(length);
  wire.bytes.fill(value);
  return wire;
}

const sameMemory = (a: Buffer, b: Buffer): boolean =>
  a.buffer === b.buffer && a.byteOffset === b.byteOffset;

describe('reusable memory for wire bytes', () => {
  it('never hands out memory that a region not yet released still holds', () => {
    const held: WireBytes[] = [];
    // Several slabs' worth, some released on the way: every held region keeps its bytes.
    for (let i = 0; i < 40; i++) {
      const wire = filled(100_000 + i, i);
      if (i % 3 === 0) wire.release();
      else held.push(wire);
    }
    for (const wire of held) {
      const value = wire.bytes.length - 100_000;
      expect(wire.bytes.every((b) => b === value)).toBe(true);
    }
    for (const wire of held) wire.release();
  });

  it('uses a slab again once all its regions are released, and a second release is harmless', () => {
    const a = filled(1000, 1);
    const b = filled(1000, 2);
    a.release();
    a.release(); // must not count twice: b still holds the slab
    const c = filled(2000, 3); // would cover b if the slab were taken as empty
    expect(b.bytes.every((x) => x === 2)).toBe(true);
    b.release();
    c.release();
    const d = takeWireMemory(1000);
    expect(sameMemory(d.bytes, a.bytes)).toBe(true); // back at the start of the same slab
    d.release();
  });

  it('gives a request larger than a slab memory of its own', () => {
    const big = takeWireMemory(SLAB_BYTES + 1);
    expect(big.bytes.length).toBe(SLAB_BYTES + 1);
    expect(big.bytes.buffer.byteLength).toBeGreaterThan(SLAB_BYTES);
    big.release();
  });

  it('converts messages straight into the converter slabs, never over a region still held', () => {
    const simd = simdCrlf()!;
    const held: { wire: WireBytes; expected: Buffer }[] = [];
    // Lines of varying length and line ends, so every conversion overruns its end a little.
    for (let i = 0; i < 300; i++) {
      const line = `${String(i).repeat(1 + (i % 37))}${i % 5 === 0 ? '\r\n' : '\n'}`;
      const source = Buffer.from(line.repeat(1 + ((i * 53) % 400)));
      source.copy(simd.input);
      const wire = convertToWire(simd, source.length)!;
      expect(wire).toBeDefined();
      if (i % 4 === 0) wire.release();
      else held.push({ wire, expected: toCrlf(source) });
    }
    for (const { wire, expected } of held) expect(wire.bytes.equals(expected)).toBe(true);
    for (const { wire } of held) wire.release();
  });

  it('falls back when every slab of the converter holds bytes not yet sent, and recovers', () => {
    const simd = simdCrlf()!;
    const source = Buffer.alloc(300_000, '\n'); // twice as long as CRLF: one per slab
    const held: WireBytes[] = [];
    for (;;) {
      source.copy(simd.input);
      const wire = convertToWire(simd, source.length);
      if (!wire) break;
      held.push(wire);
      expect(held.length).toBeLessThanOrEqual(simd.wireSlabs.length);
    }
    expect(held.length).toBe(simd.wireSlabs.length); // one message per slab fits
    for (const wire of held) expect(wire.bytes.equals(toCrlf(source))).toBe(true);
    for (const wire of held) wire.release();
    source.copy(simd.input);
    const again = convertToWire(simd, source.length);
    expect(again?.bytes.equals(toCrlf(source))).toBe(true);
    again?.release();
  });

  it('leaves a message whose worst case exceeds a slab to the caller', () => {
    const simd = simdCrlf()!;
    expect(convertToWire(simd, SLAB_BYTES / 2)).toBeUndefined();
  });
});

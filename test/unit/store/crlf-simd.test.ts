import { describe, expect, it } from 'vitest';
import { SIMD_INPUT_MAX, simdCrlf } from '../../../src-main/core/store/crlf-simd.js';
import { toCrlf } from '../../../src-main/core/store/crlf.js';

/** Converts `data` through the module's memory, as the Maildir read path does. */
function viaSimd(data: Buffer): Buffer {
  data.copy(simdCrlf()!.input);
  return Buffer.from(simdCrlf()!.convert(data.length));
}

/** Deterministic bytes that are mostly text with LFs, CRs and CRLFs at every offset. */
function mixed(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    const pick = state >>> 24;
    out[i] = pick < 24 ? 0x0a : pick < 40 ? 0x0d : 0x20 + (pick % 90);
  }
  return out;
}

describe('SIMD CRLF conversion', () => {
  it('is available on this platform (Node 20 on x64 and arm64 has WebAssembly SIMD)', () => {
    expect(simdCrlf()).toBeDefined();
  });

  it.each([
    '',
    '\n',
    '\r',
    '\r\n',
    '\n\n',
    'no newline',
    'a\nb\n',
    'a\r\nb\r\n',
    'mixed\r\nlf\nlone\rcr\n',
    '\r\n\nx\r',
    '0123456789abcde\n0123456789abcd\r\n',
    '0123456789abcdef\n',
    '\n0123456789abcdef\r\n0123456789abcdef\n\n',
  ])('converts %j exactly like crlf.ts', (text) => {
    expect(viaSimd(Buffer.from(text))).toEqual(toCrlf(Buffer.from(text)));
  });

  it('matches crlf.ts on every length up to 80 and random mixes of LF, CR and text', () => {
    for (let length = 0; length <= 80; length++)
      for (let seed = 1; seed <= 20; seed++) {
        const data = mixed(length, seed * 7919 + length);
        expect(viaSimd(data)).toEqual(toCrlf(data));
      }
  });

  it('copies lines of every length from 0 to 100, with and without a CR before the LF', () => {
    for (let length = 0; length <= 100; length++)
      for (const end of ['\n', '\r\n']) {
        const line = 'x'.repeat(length) + end;
        const data = Buffer.from(line.repeat(3) + 'y'.repeat(length));
        expect(viaSimd(data)).toEqual(toCrlf(data));
      }
  });

  it('shows nothing of an earlier, longer conversion after a shorter one', () => {
    viaSimd(Buffer.from('z'.repeat(5000) + '\n'));
    for (const text of ['a', 'ab\ncd', '0123456789abcdef0\n']) {
      expect(viaSimd(Buffer.from(text))).toEqual(toCrlf(Buffer.from(text)));
    }
  });

  it('converts the largest input, all LFs, into twice its length', () => {
    const data = Buffer.alloc(SIMD_INPUT_MAX, 0x0a);
    const out = viaSimd(data);
    expect(out.length).toBe(2 * SIMD_INPUT_MAX);
    expect(out.equals(toCrlf(data))).toBe(true);
    expect(() => simdCrlf()!.convert(SIMD_INPUT_MAX + 1)).toThrow(RangeError);
  });

  it('converts a large mixed message exactly like crlf.ts', () => {
    const data = mixed(300_000, 42);
    expect(viaSimd(data).equals(toCrlf(data))).toBe(true);
  });
});

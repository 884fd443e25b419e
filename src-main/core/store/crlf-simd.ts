/**
 * LF → CRLF for whole messages in WebAssembly with 128-bit SIMD: the file is read straight
 * into the module's memory, 16 octets at a time are compared with LF at once, and each run
 * between LFs that lack a CR is moved 16 octets at a time. In JavaScript the same work
 * costs two native calls per line (`indexOf`, `copyWithin`), about 1 ns per octet: as much
 * CPU as Dovecot spends on a whole `FETCH 1:* BODY.PEEK[]` (measured with `npm run bench`).
 *
 * The rule is `crlf.ts`'s (RFC 5322 §2.3): an LF without a CR before it gets one; a CR
 * already before an LF is kept; a lone CR stays. The module is built below from its
 * instructions (no binary blob); where WebAssembly SIMD is missing, `simdCrlf()` is undefined
 * and callers use `crlf.ts`.
 */

import { releaseWhenIdle } from '../util/idle-memory.js';

/** Input octets the module takes at a time: the largest file read whole, plus one. */
export const SIMD_INPUT_MAX = 1024 * 1024 + 1;
/** Where the output starts in the module's memory (after the input, 64 KiB aligned). */
const OUTPUT_OFFSET = 2 * 1024 * 1024;
/** Octets a run's 16-octet copy may write past the output's end (see `copyRun`). */
export const COPY_OVERRUN = 15;
/**
 * After the output: slabs for `wire-memory.ts`, into which a message is converted straight
 * (no copy out of the module on its way to a socket).
 */
const WIRE_OFFSET = (OUTPUT_OFFSET + 2 * SIMD_INPUT_MAX + COPY_OVERRUN + 0xffff) & ~0xffff;
export const WIRE_SLAB_BYTES = 1024 * 1024;
const WIRE_SLABS = 8;
/** Pages of 64 KiB: input, room for the worst case (every octet an LF) as output, slabs. */
const MEMORY_PAGES = (WIRE_OFFSET + WIRE_SLABS * WIRE_SLAB_BYTES) >> 16;

const LF = 0x0a;
const CR = 0x0d;

/** Instructions used (WebAssembly core spec §5.4; SIMD and bulk memory are prefixed). */
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  void: 0x40,
  i32: 0x7f,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  load8: [0x2d, 0, 0],
  store8: [0x3a, 0, 0],
  const: 0x41,
  eqz: 0x45,
  eq: 0x46,
  ne: 0x47,
  gtU: 0x4b,
  geU: 0x4f,
  ctz: 0x68,
  add: 0x6a,
  sub: 0x6b,
  and: 0x71,
  v128load: [0xfd, 0x00, 0, 0],
  v128store: [0xfd, 0x0b, 0, 0],
  splat8: [0xfd, 0x0f],
  eq8: [0xfd, 0x23],
  bitmask8: [0xfd, 0x64],
} as const;

// Locals: the four parameters, then working values.
const [SRC, LEN, DST, PREV, END, OUT, RUN, POS, MASK, AT, N, I] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
];
const EXTRA_LOCALS = 8;

const get = (l: number): number[] => [op.get, l];
const set = (l: number): number[] => [op.set, l];
const i32 = (n: number): number[] => [op.const, ...sleb(n)];

/**
 * `crlf(src, len, dst, prev) → written`: converts `len` octets at `src` into `dst`; `prev`
 * is the octet before the input (CR or not). For every LF found: if the octet before it is
 * not a CR, the run since the last insertion is copied and a CR written; the LF starts the
 * next run. Whole 16-octet blocks are searched with one comparison; the rest octet by octet.
 *
 *   end = src + len; out = dst; run = pos = src
 *   while pos + 16 <= end:                       (blocks)
 *     mask = bitmask(load128(pos) == splat(LF))
 *     while mask: at = pos + ctz(mask); mask &= mask - 1; lineEnd(at)
 *     pos += 16
 *   while pos != end: if mem[pos] == LF: lineEnd(pos); pos += 1     (tail)
 *   copy(out, run, end - run); return out + (end - run) - dst
 *   lineEnd(at): if (at == src ? prev : mem[at - 1]) != CR:
 *     copy(out, run, at - run); out += at - run; mem[out++] = CR; run = at
 */
function body(): number[] {
  /** At AT is an LF: unless a CR precedes it, flush the run and put a CR in. */
  const lineEnd = [
    ...[...get(AT), ...get(SRC), op.eq, op.if, op.i32, ...get(PREV), op.else],
    ...[...get(AT), ...i32(1), op.sub, ...op.load8, op.end, ...i32(CR), op.ne],
    ...[op.if, op.void, ...copyRun([...get(AT), ...get(RUN), op.sub])],
    ...[...get(OUT), ...get(N), op.add, op.tee, OUT],
    ...[...i32(CR), ...op.store8, ...get(OUT), ...i32(1), op.add, ...set(OUT)],
    ...[...get(AT), ...set(RUN), op.end],
  ];
  const blocks = [
    ...[op.block, op.void, op.loop, op.void],
    ...[...get(POS), ...i32(16), op.add, ...get(END), op.gtU, op.brIf, 1],
    ...[...get(POS), ...op.v128load, ...i32(LF), ...op.splat8, ...op.eq8, ...op.bitmask8],
    ...set(MASK),
    ...[op.block, op.void, op.loop, op.void, ...get(MASK), op.eqz, op.brIf, 1],
    ...[...get(POS), ...get(MASK), op.ctz, op.add, ...set(AT)],
    ...[...get(MASK), ...get(MASK), ...i32(1), op.sub, op.and, ...set(MASK)],
    ...lineEnd,
    ...[op.br, 0, op.end, op.end],
    ...[...get(POS), ...i32(16), op.add, ...set(POS), op.br, 0, op.end, op.end],
  ];
  const tail = [
    ...[op.block, op.void, op.loop, op.void],
    ...[...get(POS), ...get(END), op.eq, op.brIf, 1],
    ...[...get(POS), ...op.load8, ...i32(LF), op.eq, op.if, op.void],
    ...[...get(POS), ...set(AT), ...lineEnd, op.end],
    ...[...get(POS), ...i32(1), op.add, ...set(POS), op.br, 0, op.end, op.end],
  ];
  return [
    ...[...get(SRC), ...get(LEN), op.add, ...set(END)],
    ...[...get(DST), ...set(OUT), ...get(SRC), ...set(RUN), ...get(SRC), ...set(POS)],
    ...blocks,
    ...tail,
    ...copyRun([...get(END), ...get(RUN), op.sub]),
    ...[...get(OUT), ...get(N), op.add, ...get(DST), op.sub, op.end],
  ];
}

/**
 * `n = <length>; copies n octets from RUN to OUT` in 16-octet loads and stores, which may
 * read and write up to 15 octets past the run: harmless, as the input is followed by unused
 * memory and whatever lands past the output's end is overwritten by the next run or lies
 * beyond the length returned. `memory.copy` did the same, but as a call out of the module per
 * line (V8 11 does not inline it): most of the conversion's time on short lines.
 */
function copyRun(length: number[]): number[] {
  return [
    ...[...length, ...set(N), ...i32(0), ...set(I), op.block, op.void, op.loop, op.void],
    ...[...get(I), ...get(N), op.geU, op.brIf, 1],
    ...[...get(OUT), ...get(I), op.add, ...get(RUN), ...get(I), op.add, ...op.v128load],
    ...[...op.v128store, ...get(I), ...i32(16), op.add, ...set(I), op.br, 0, op.end, op.end],
  ];
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n ? byte | 0x80 : byte);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, content: number[]): number[] => [
  id,
  ...uleb(content.length),
  ...content,
];
const name = (text: string): number[] => vector([...Buffer.from(text)].map((b) => [b]));

/** Sections (spec §5.5): type, function, memory (fixed: minimum = maximum), export, code. */
function moduleBytes(): Uint8Array {
  const I32 = op.i32;
  const code = [...vector([[EXTRA_LOCALS, I32]]), ...body()];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32], [I32]]), ...vector([[I32]])]])),
    ...section(3, vector([[0]])),
    ...section(5, vector([[0x01, ...uleb(MEMORY_PAGES), ...uleb(MEMORY_PAGES)]])),
    ...section(
      7,
      vector([
        [...name('memory'), 0x02, 0],
        [...name('crlf'), 0x00, 0],
      ]),
    ),
    ...section(10, vector([[...uleb(code.length), ...code]])),
  ]);
}

export interface SimdCrlf {
  /** Where to read a file to convert: the module's input memory (SIMD_INPUT_MAX octets). */
  readonly input: Buffer;
  /**
   * The first `length` octets of `input` in CRLF, as a view of the module's memory that is
   * valid until the next call. `before` is the octet that preceded them (a chunk of a file
   * after the first), -1 at the start.
   */
  convert(length: number, before?: number): Buffer;
  /** The module's slabs (WIRE_SLAB_BYTES each) that `convertInto` may write into. */
  readonly wireSlabs: readonly Buffer[];
  /**
   * The first `length` octets of `input` in CRLF, written at the start of `target` (a view of
   * one of `wireSlabs`, at least `2 * length + COPY_OVERRUN` long: the worst case and the copy's
   * overrun); returns the octets written.
   */
  convertInto(length: number, target: Buffer): number;
}

/** The few WebAssembly calls used (the project's `lib` has no DOM types, where they live). */
interface Wasm {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: Record<string, unknown> };
}

function load(): SimdCrlf | undefined {
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  const bytes = moduleBytes();
  if (!wasm?.validate(bytes)) return undefined; // no SIMD here: crlf.ts does it
  const { exports } = new wasm.Instance(new wasm.Module(bytes));
  const memory = exports['memory'] as { readonly buffer: ArrayBuffer };
  const crlf = exports['crlf'] as (src: number, len: number, dst: number, prev: number) => number;
  const all = Buffer.from(memory.buffer); // fixed size (maximum = minimum): never detached
  const checked = (length: number): number => {
    if (length > SIMD_INPUT_MAX) throw new RangeError(`${length} octets is over the limit`);
    return length;
  };
  const wireSlabs = Array.from({ length: WIRE_SLABS }, (_, i) =>
    all.subarray(WIRE_OFFSET + i * WIRE_SLAB_BYTES, WIRE_OFFSET + (i + 1) * WIRE_SLAB_BYTES),
  );
  return {
    input: all.subarray(0, SIMD_INPUT_MAX),
    convert(length, before = -1) {
      const written = crlf(0, checked(length), OUTPUT_OFFSET, before);
      return all.subarray(OUTPUT_OFFSET, OUTPUT_OFFSET + written);
    },
    wireSlabs,
    convertInto(length, target) {
      const at = target.byteOffset;
      const inSlabs = target.buffer === all.buffer && at >= WIRE_OFFSET;
      if (!inSlabs || target.length < 2 * checked(length) + COPY_OVERRUN)
        throw new RangeError('the target is not enough room in one of the slabs');
      return crlf(0, length, at, -1);
    },
  };
}

let loaded: { readonly simd: SimdCrlf | undefined } | undefined;

// Its memory (12 MiB, which a WebAssembly memory can never give back while it lives) goes with
// the module when the server is idle; the next message builds both again (well under 1 ms).
releaseWhenIdle(() => (loaded = undefined));

/**
 * The converter, built at first use (not at start-up) and again after an idle release:
 * callers take it anew for each message, never keep it. Undefined where SIMD is missing.
 */
export function simdCrlf(): SimdCrlf | undefined {
  loaded ??= { simd: load() };
  return loaded.simd;
}

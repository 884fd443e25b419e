/**
 * Byte-level mutations of a well-formed command: flips, truncation, duplication, splicing of
 * tokens from another command, huge numbers, deep nesting, NUL/CR/LF/8-bit bytes and overlong
 * lines. The framing is re-derived from the result (`imap-framer.ts`), so mutations may break
 * literal lengths freely.
 */
import type { Prng } from './prng.js';

const HUGE_NUMBERS = [
  '0',
  '-1',
  '4294967295',
  '4294967296',
  '18446744073709551616',
  '99999999999999999999',
  '1e9',
  '0x10',
];
const NASTY_BYTES = [
  0x00, 0x0d, 0x0a, 0x80, 0xff, 0x09, 0x7f, 0x1b, 0x22, 0x5c, 0x28, 0x29, 0x7b, 0x7d,
];

type Mutation = (rng: Prng, input: Buffer, donor: Buffer) => Buffer;

const at = (rng: Prng, input: Buffer): number => rng.int(input.length + 1);

const MUTATIONS: readonly Mutation[] = [
  // flip bits in a few bytes
  (rng, input) => {
    const out = Buffer.from(input);
    for (let i = 1 + rng.small(3); i > 0 && out.length > 0; i--)
      out[rng.int(out.length)]! ^= 1 << rng.int(8);
    return out;
  },
  // insert a nasty byte
  (rng, input) => {
    const p = at(rng, input);
    return Buffer.concat([
      input.subarray(0, p),
      Buffer.from([rng.pick(NASTY_BYTES)]),
      input.subarray(p),
    ]);
  },
  // truncate (a line end is added back by the framer)
  (rng, input) => input.subarray(0, at(rng, input)),
  // duplicate a slice in place
  (rng, input) => {
    const a = at(rng, input);
    const b = Math.min(input.length, a + 1 + rng.int(40));
    const times = rng.pick([1, 2, 10, 1000]);
    const slice = input.subarray(a, b);
    return Buffer.concat([
      input.subarray(0, b),
      ...Array<Buffer>(times).fill(slice),
      input.subarray(b),
    ]);
  },
  // splice: a token from another command into this one
  (rng, input, donor) => {
    const tokens = donor.toString('latin1').split(/(?<= )/);
    const token = Buffer.from(rng.pick(tokens), 'latin1');
    const p = at(rng, input);
    return Buffer.concat([input.subarray(0, p), token, input.subarray(p)]);
  },
  // replace a number with a huge or odd one
  (rng, input) => {
    const text = input.toString('latin1');
    const numbers = [...text.matchAll(/\d+/g)];
    if (numbers.length === 0) return input;
    const m = rng.pick(numbers);
    const out = text.slice(0, m.index) + rng.pick(HUGE_NUMBERS) + text.slice(m.index + m[0].length);
    return Buffer.from(out, 'latin1');
  },
  // deep nesting
  (rng, input) => {
    const depth = rng.pick([33, 200, 5000]);
    const p = at(rng, input);
    const nest = rng.chance(0.5) ? '('.repeat(depth) + ')'.repeat(depth) : '('.repeat(depth);
    return Buffer.concat([input.subarray(0, p), Buffer.from(nest), input.subarray(p)]);
  },
  // an overlong line
  (rng, input) => {
    const p = at(rng, input);
    const filler = Buffer.alloc(
      rng.pick([1000, 65_537, 70_000, 200_000]),
      rng.pick([0x41, 0x20, 0x28]),
    );
    return Buffer.concat([input.subarray(0, p), filler, input.subarray(p)]);
  },
  // 8-bit run, e.g. UTF-8 where ASCII is expected
  (rng, input) => {
    const p = at(rng, input);
    const bytes = rng.chance(0.5) ? Buffer.from('ü日本\u2028', 'utf8') : rng.bytes(1 + rng.int(16));
    return Buffer.concat([input.subarray(0, p), bytes, input.subarray(p)]);
  },
  // delete a slice
  (rng, input) => {
    const a = at(rng, input);
    const b = Math.min(input.length, a + 1 + rng.int(10));
    return Buffer.concat([input.subarray(0, a), input.subarray(b)]);
  },
  // a literal announcement where none was: huge, non-synchronising or empty
  (rng, input) => {
    const p = at(rng, input);
    const size = rng.pick([
      '0',
      '0+',
      '5',
      '5+',
      '4294967296',
      '99999999999999999999',
      '20000000+',
    ]);
    return Buffer.concat([input.subarray(0, p), Buffer.from(`{${size}}\r\n`), input.subarray(p)]);
  },
];

/** One to three mutations of `input`; `donor` is another generated command to splice from. */
export function mutate(rng: Prng, input: Buffer, donor: Buffer): Buffer {
  let out = input;
  for (let i = 1 + rng.small(2); i > 0; i--) out = rng.pick(MUTATIONS)(rng, out, donor);
  return out;
}

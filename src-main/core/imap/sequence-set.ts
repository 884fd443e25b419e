/**
 * sequence-set (RFC 3501 §9): `1`, `2:4`, `*`, `5:*`, `1,3:5,7` — message numbers or UIDs.
 * `*` is the largest number in use; `n:m` is the same as `m:n`.
 */
export type SeqNumber = number | '*';
export type SequenceRange = readonly [SeqNumber, SeqNumber];
export type SequenceSet = readonly SequenceRange[];

const NUMBER = /^[1-9]\d{0,9}$/;

/**
 * `$`, the saved SEARCH result (RFC 5182 §2.1): a marker, known by identity, that stands for
 * the messages the session's view saved; anything that does not know it sees an empty set.
 * It is never combined with other numbers (`$,1` is not a sequence set, RFC 5182 §4).
 */
export const SAVED_RESULT: SequenceSet = Object.freeze([]);

export function parseSequenceSet(text: string): SequenceSet | undefined {
  if (text === '$') return SAVED_RESULT;
  const ranges: SequenceRange[] = [];
  for (const item of text.split(',')) {
    const [a, b, extra] = item.split(':');
    if (extra !== undefined || a === undefined) return undefined;
    const first = parseNumber(a);
    const second = b === undefined ? first : parseNumber(b);
    if (first === undefined || second === undefined) return undefined;
    ranges.push([first, second]);
  }
  return ranges;
}

function parseNumber(text: string): SeqNumber | undefined {
  if (text === '*') return '*';
  if (!NUMBER.test(text)) return undefined;
  const n = Number(text);
  return n <= 0xffffffff ? n : undefined;
}

/** A set with `*` resolved: ascending, disjoint, non-adjacent [low, high] ranges, all ≥ 1. */
export type NumberRanges = readonly (readonly [number, number])[];

/**
 * Resolves `*` to `max` (the largest number in use; in an empty mailbox it matches nothing),
 * orders each range (RFC 3501 §9: `n:m` is `m:n`), sorts and merges: O(r log r) once, so
 * matching against m messages costs O(m + r) or O(m log r) instead of O(m × r).
 */
export function normalise(set: SequenceSet, max: number): NumberRanges {
  const ranges: [number, number][] = [];
  for (const [a, b] of set) {
    const x = a === '*' ? max : a;
    const y = b === '*' ? max : b;
    const high = Math.max(x, y);
    if (high >= 1) ranges.push([Math.max(1, Math.min(x, y)), high]);
  }
  ranges.sort((p, q) => p[0] - q[0]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1] + 1) last[1] = Math.max(last[1], range[1]);
    else merged.push(range);
  }
  return merged;
}

/** The normalised form of each set, per `max`, so SEARCH normalises a set once per command. */
const normalised = new WeakMap<
  SequenceSet,
  { readonly max: number; readonly ranges: NumberRanges }
>();

function rangesOf(set: SequenceSet, max: number): NumberRanges {
  const known = normalised.get(set);
  if (known?.max === max) return known.ranges;
  const ranges = normalise(set, max);
  normalised.set(set, { max, ranges });
  return ranges;
}

/** Whether `n` is in the set, `*` standing for `max`: a binary search of the merged ranges. */
export function contains(set: SequenceSet, n: number, max: number): boolean {
  const ranges = rangesOf(set, max);
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const [first, last] = ranges[mid]!;
    if (n < first) high = mid - 1;
    else if (n > last) low = mid + 1;
    else return true;
  }
  return false;
}

/** The members of ascending `numbers` that are in `ranges`: one walk over both. */
export function pickAscending(ranges: NumberRanges, numbers: readonly number[]): number[] {
  const out: number[] = [];
  let r = 0;
  for (const n of numbers) {
    while (r < ranges.length && ranges[r]![1] < n) r++;
    if (r === ranges.length) break;
    if (n >= ranges[r]![0]) out.push(n);
  }
  return out;
}

/** The largest number the set names explicitly (ignoring `*`); 0 when only `*`. */
export function highestNumber(set: SequenceSet): number {
  let high = 0;
  for (const [a, b] of set) for (const n of [a, b]) if (n !== '*' && n > high) high = n;
  return high;
}

/** Formats ascending numbers compactly: [1,2,3,5] → "1:3,5" (for COPYUID and the like). */
export function formatNumbers(numbers: readonly number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < numbers.length) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    out.push(i === j ? String(numbers[i]) : `${numbers[i]}:${numbers[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/**
 * sequence-set (RFC 3501 §9): `1`, `2:4`, `*`, `5:*`, `1,3:5,7` — message numbers or UIDs.
 * `*` is the largest number in use; `n:m` is the same as `m:n`.
 */
export type SeqNumber = number | '*';
export type SequenceRange = readonly [SeqNumber, SeqNumber];
export type SequenceSet = readonly SequenceRange[];

const NUMBER = /^[1-9]\d{0,9}$/;

export function parseSequenceSet(text: string): SequenceSet | undefined {
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

/**
 * Whether `n` is in the set, `*` standing for `max` (the largest number in use). In an empty
 * mailbox `*` matches nothing.
 */
export function contains(set: SequenceSet, n: number, max: number): boolean {
  for (const [a, b] of set) {
    const x = a === '*' ? max : a;
    const y = b === '*' ? max : b;
    if (n >= Math.min(x, y) && n <= Math.max(x, y) && n > 0) return true;
  }
  return false;
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

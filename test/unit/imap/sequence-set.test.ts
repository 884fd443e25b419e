import { describe, expect, it } from 'vitest';
import {
  contains,
  formatNumbers,
  parseSequenceSet,
} from '../../../src-main/core/imap/sequence-set.js';

describe('sequence sets (RFC 3501 §9)', () => {
  const numbersIn = (text: string, max: number): number[] => {
    const set = parseSequenceSet(text)!;
    return Array.from({ length: max }, (_, i) => i + 1).filter((n) => contains(set, n, max));
  };

  it.each([
    ['1', 5, [1]],
    ['2:4', 5, [2, 3, 4]],
    ['4:2', 5, [2, 3, 4]],
    ['*', 5, [5]],
    ['3:*', 5, [3, 4, 5]],
    ['*:3', 5, [3, 4, 5]],
    ['1,3,5:*', 6, [1, 3, 5, 6]],
    ['7:9', 5, []],
    ['*', 0, []],
  ] as const)('%s with %i messages', (text, max, expected) => {
    expect(numbersIn(text, max)).toEqual(expected);
  });

  it.each(['', '0', '1:', ':2', '1::2', 'a', '1,,2', '-1', '4294967296', '1:2:3'])(
    'refuses %j',
    (text) => {
      expect(parseSequenceSet(text)).toBeUndefined();
    },
  );

  it('formats ascending numbers compactly', () => {
    expect(formatNumbers([1, 2, 3, 5, 7, 8])).toBe('1:3,5,7:8');
    expect(formatNumbers([])).toBe('');
  });
});

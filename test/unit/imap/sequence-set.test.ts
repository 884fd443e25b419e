import { describe, expect, it } from 'vitest';
import {
  contains,
  formatNumbers,
  normalise,
  parseSequenceSet,
  pickAscending,
  SAVED_RESULT,
} from '../../../src-main/core/imap/sequence-set.js';

describe('the saved search result $ (RFC 5182 §2.1)', () => {
  it('parses alone to the marker, which names nothing to readers that do not know it', () => {
    expect(parseSequenceSet('$')).toBe(SAVED_RESULT);
    expect(normalise(SAVED_RESULT, 10)).toEqual([]);
    expect(contains(SAVED_RESULT, 1, 10)).toBe(false);
  });

  it.each(['$,1', '1,$', '$:3', '1:$', '$$'])('does not combine: %s', (text) => {
    expect(parseSequenceSet(text)).toBeUndefined();
  });
});

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

describe('normalised sequence sets', () => {
  it.each([
    [
      '5,1:2,3',
      10,
      [
        [1, 3],
        [5, 5],
      ],
    ],
    [
      '9:7,8:12,20',
      15,
      [
        [7, 12],
        [20, 20],
      ],
    ],
    [
      '*:3,1',
      4,
      [
        [1, 1],
        [3, 4],
      ],
    ],
    ['*', 0, []],
    ['2,2,2', 3, [[2, 2]]],
  ] as const)('%s with %i messages', (text, max, expected) => {
    expect(normalise(parseSequenceSet(text)!, max)).toEqual(expected);
  });

  it('picks members of ascending numbers in one walk, as contains() does', () => {
    const set = parseSequenceSet('40:30,1,3,7:9,100:*,35')!;
    const numbers = [1, 2, 3, 8, 10, 31, 35, 41, 99, 150, 151];
    expect(pickAscending(normalise(set, 150), numbers)).toEqual(
      numbers.filter((n) => contains(set, n, 150)),
    );
    expect(pickAscending(normalise(set, 150), numbers)).toEqual([1, 3, 8, 31, 35, 150]);
  });
});

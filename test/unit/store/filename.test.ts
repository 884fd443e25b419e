import { describe, expect, it } from 'vitest';
import {
  arrivalKey,
  formatName,
  lettersToFlags,
  parseName,
} from '../../../src-main/core/store/maildir/filename.js';

describe('Maildir file names', () => {
  it.each([
    ['1700000000.M1P2.host,S=120,W=125:2,FS', '1700000000.M1P2.host,S=120,W=125', 'FS', 120, 125],
    ['1700000000.M1P2.host:2,', '1700000000.M1P2.host', '', undefined, undefined],
    ['1700000000.M1P2.host', '1700000000.M1P2.host', '', undefined, undefined],
    ['1.2.h,W=9:2,a', '1.2.h,W=9', 'a', undefined, 9],
  ])('parses %s', (name, base, letters, fileSize, wireSize) => {
    const parsed = parseName(name);
    expect(parsed.base).toBe(base);
    expect(parsed.letters).toBe(letters);
    expect(parsed.fileSize).toBe(fileSize);
    expect(parsed.wireSize).toBe(wireSize);
  });

  it('maps letters to IMAP flags and keeps unknown upper-case letters', () => {
    const { system, keywordIndexes, other } = lettersToFlags('DFPRSTac');
    expect(system.sort()).toEqual(['\\Answered', '\\Deleted', '\\Draft', '\\Flagged', '\\Seen']);
    expect(keywordIndexes).toEqual([0, 2]);
    expect(other).toBe('P');
  });

  it('writes flag letters in ASCII order without duplicates', () => {
    expect(formatName('b', ['S', 'a', 'F', 'S', 'P'])).toBe('b:2,FPSa');
  });

  it('orders by seconds then microseconds', () => {
    const names = ['1700000001.M5P1.h', '1700000000.M900P1.h', '1700000000.M10P1.h', 'junk'];
    const sorted = [...names].sort((a, b) => arrivalKey(a)[0] - arrivalKey(b)[0]);
    expect(sorted).toEqual([
      '1700000000.M10P1.h',
      '1700000000.M900P1.h',
      '1700000001.M5P1.h',
      'junk',
    ]);
  });
});

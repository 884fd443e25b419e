import { describe, expect, it } from 'vitest';
import { MAX_REMEMBERED_EXPUNGES } from '../../../src-main/core/store/limits.js';
import { ExpungeHistory } from '../../../src-main/core/store/maildir/expunge-history.js';
import {
  formatUidRanges,
  parseUidRanges,
} from '../../../src-main/core/store/maildir/uid-ranges.js';

describe('ExpungeHistory', () => {
  it('answers the UIDs expunged above a mod-sequence, ascending', () => {
    const h = new ExpungeHistory(0);
    h.add(5, 10);
    h.add(2, 10);
    h.add(9, 12);
    expect(h.since(0)).toEqual([2, 5, 9]);
    expect(h.since(10)).toEqual([9]);
    expect(h.since(12)).toEqual([]);
    expect(h.batches).toEqual([
      { modseq: 10, uids: [2, 5] },
      { modseq: 12, uids: [9] },
    ]);
  });

  it('does not answer below its floor', () => {
    const h = new ExpungeHistory(7);
    h.add(1, 8);
    expect(h.since(6)).toBeUndefined();
    expect(h.since(7)).toEqual([1]);
  });

  it('forgets the oldest expunges past the bound and raises the floor to them', () => {
    const h = new ExpungeHistory(0);
    for (let uid = 1; uid <= MAX_REMEMBERED_EXPUNGES; uid++) h.add(uid, 100 + (uid > 10 ? 1 : 0));
    expect(h.floor).toBe(0);
    h.add(MAX_REMEMBERED_EXPUNGES + 1, 102);
    expect(h.floor).toBe(100);
    expect(h.since(99)).toBeUndefined();
    expect(h.since(100)).toHaveLength(MAX_REMEMBERED_EXPUNGES - 10 + 1);
  });
});

describe('uid ranges', () => {
  it('round-trips and refuses what it did not write', () => {
    expect(formatUidRanges([1, 2, 3, 7, 9, 10])).toBe('1:3,7,9:10');
    expect(parseUidRanges('1:3,7,9:10', 100)).toEqual([1, 2, 3, 7, 9, 10]);
    for (const bad of ['', '3:1', '2,1', '1,,2', 'a', '1:2,2'])
      expect(parseUidRanges(bad, 100)).toBeUndefined();
    expect(parseUidRanges('1:101', 100)).toBeUndefined();
  });
});

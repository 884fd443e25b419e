import { describe, expect, it } from 'vitest';
import {
  formatUidList,
  parseUidList,
  UidListFormatError,
} from '../../../src-main/core/store/maildir/uidlist.js';

describe('dovecot-uidlist', () => {
  it('reads version 3 with extensions and keeps them on write', () => {
    const text = '3 V1700000000 N5 G0123abcd\n1 :a.host\n3 W120 S118 :b.host,S=118\n';
    const list = parseUidList(text);
    expect(list.uidValidity).toBe(1700000000);
    expect(list.nextUid).toBe(5);
    expect(list.records.map((r) => [r.uid, r.base])).toEqual([
      [1, 'a.host'],
      [3, 'b.host,S=118'],
    ]);
    expect(formatUidList(list)).toBe(text);
  });

  it('reads version 1', () => {
    const list = parseUidList('1 1234 7\n2 x.host\n6 y.host\n');
    expect([list.uidValidity, list.nextUid]).toEqual([1234, 7]);
    expect(list.records.map((r) => r.uid)).toEqual([2, 6]);
  });

  it('never lets the next UID fall to or below a recorded UID', () => {
    expect(parseUidList('3 V1 N2\n9 :x\n').nextUid).toBe(10);
  });

  it('skips damaged and out-of-order lines instead of failing', () => {
    const list = parseUidList('3 V1 N20\nfoo\n5 :a\n4 :b\n0 :c\n6 :d\n');
    expect(list.records.map((r) => r.uid)).toEqual([5, 6]);
  });

  it.each(['', '2 V1 N1', '3 Vx N1', '3 V1 N-2'])('refuses the header %j', (text) => {
    expect(() => parseUidList(text)).toThrow(UidListFormatError);
  });
});

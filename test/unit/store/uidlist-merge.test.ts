import { describe, expect, it } from 'vitest';
import { mergeUidLists } from '../../../src-main/core/store/maildir/uidlist-file.js';
import { parseUidList } from '../../../src-main/core/store/maildir/uidlist.js';

const list = (text: string) => parseUidList(text);

describe('merging the uidlist on disk with the one in memory', () => {
  const ours = list('3 V100 N6\n1 :a\n2 :b\n5 :e\n');
  const cases: [string, string, string, boolean][] = [
    ['the same list', '3 V100 N6\n1 :a\n2 :b\n5 :e\n', '1 a,2 b,5 e N6', false],
    [
      'a file another program added',
      '3 V100 N7\n1 :a\n2 :b\n5 :e\n6 :f\n',
      '1 a,2 b,5 e,6 f N7',
      false,
    ],
    ['a partial copy cut at a line end', '3 V100 N6\n1 :a\n', '1 a,2 b,5 e N6', true],
    ['an older backup', '3 V100 N3\n1 :a\n2 :b\n', '1 a,2 b,5 e N6', true],
    ['another UIDVALIDITY is taken whole', '3 V200 N3\n1 :e\n2 :a\n', '1 e,2 a N3', false],
    ['the disk names a base under another UID', '3 V100 N8\n1 :a\n7 :b\n', '1 a,5 e,7 b N8', true],
    ['a UID the disk gave another file', '3 V100 N6\n1 :a\n5 :x\n', '1 a,2 b,5 x N6', true],
  ];
  it.each(cases)('%s', (_, disk, expected, changed) => {
    const merged = mergeUidLists(list(disk), ours);
    const shown = merged.list.records.map((r) => `${r.uid} ${r.base}`).join(',');
    expect(`${shown} N${merged.list.nextUid}`).toBe(expected);
    expect(merged.changed).toBe(changed);
  });
});

/**
 * UID lists written compactly in the store's own files (`1:3,7,9:12`, ascending). Reading is
 * strict: anything not written by `formatUidRanges` is undefined (damage).
 */

/** Ascending, distinct UIDs as ranges. */
export function formatUidRanges(uids: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length;) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++;
    parts.push(i === j ? `${uids[i]}` : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The UIDs of `formatUidRanges` output, or undefined when it is not such output or too many. */
export function parseUidRanges(text: string, max: number): number[] | undefined {
  const out: number[] = [];
  let last = 0;
  for (const part of text.split(',')) {
    const m = /^(\d{1,10})(?::(\d{1,10}))?$/.exec(part);
    if (!m) return undefined;
    const first = Number(m[1]);
    const end = m[2] === undefined ? first : Number(m[2]);
    if (first <= last || end < first || out.length + (end - first + 1) > max) return undefined;
    for (let uid = first; uid <= end; uid++) out.push(uid);
    last = end;
  }
  return out;
}

/**
 * THREAD=ORDEREDSUBJECT (RFC 5256 §2.2): messages sorted by base subject, then sent date
 * (then sequence number); each run of one base subject is a thread whose first message is
 * the parent of the others; threads ordered by their first message's sent date (then its
 * number), as Dovecot does.
 */
import { compareText } from './sort-text.js';
import type { ThreadInput, ThreadTree } from './thread-tree.js';

export function threadByOrderedSubject(messages: readonly ThreadInput[]): ThreadTree[] {
  const subject = (m: ThreadInput): string => m.subject?.text ?? '';
  const sorted = [...messages].sort(
    (a, b) => compareText(subject(a), subject(b)) || a.date - b.date || a.seq - b.seq,
  );
  const threads: ThreadInput[][] = [];
  for (const m of sorted) {
    const current = threads.at(-1);
    if (current && subject(current[0]!) === subject(m)) current.push(m);
    else threads.push([m]);
  }
  threads.sort((a, b) => a[0]!.date - b[0]!.date || a[0]!.seq - b[0]!.seq);
  return threads.map(([first, ...rest]) => ({
    uid: first!.uid,
    children: rest.map((m) => ({ uid: m.uid, children: [] })),
  }));
}

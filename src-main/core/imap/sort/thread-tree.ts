/**
 * What the THREAD algorithms (RFC 5256 §2.2) work on and give back, and the thread-data
 * response they are written as (§4):
 *
 *   thread-data   = "THREAD" [SP 1*thread-list]
 *   thread-list   = "(" (thread-members / thread-nested) ")"
 *   thread-members = nz-number *(SP nz-number) [SP thread-nested]
 *   thread-nested = 2*thread-list
 */
import type { BaseSubject } from './base-subject.js';

export interface ThreadInput {
  readonly uid: number;
  readonly seq: number;
  /** The sent date in seconds (RFC 5256 §2.2), the INTERNALDATE when Date is unusable. */
  readonly date: number;
  /** Null when there is no Subject field. */
  readonly subject: BaseSubject | null;
  /** The parsed Message-ID and references (see `message-facts.ts`). */
  readonly messageId: string | null;
  readonly references: readonly string[];
}

/** A message (uid > 0) or a dummy (uid 0, at the top only) and its ordered children. */
export interface ThreadTree {
  readonly uid: number;
  readonly children: readonly ThreadTree[];
}

/**
 * The threads as Dovecot writes them: each thread in parentheses; a chain of only children
 * as a run of numbers; several children each in parentheses; a dummy as a list without a
 * number. Written without recursion, so that a long chain cannot exhaust the stack.
 */
export function formatThreads(
  threads: readonly ThreadTree[],
  number: (uid: number) => number,
): string {
  let out = '';
  // Work items: a node to open, or text to append once its children are written.
  const work: (ThreadTree | string)[] = [...threads].reverse();
  while (work.length > 0) {
    const item = work.pop()!;
    if (typeof item === 'string') {
      out += item;
      continue;
    }
    out += '(';
    const pending: (ThreadTree | string)[] = [')'];
    let node = item;
    let label = node.uid === 0 ? '' : String(number(node.uid));
    // Only children continue the run of numbers.
    while (node.children.length === 1) {
      node = node.children[0]!;
      label += `${label === '' ? '' : ' '}${number(node.uid)}`;
    }
    out += label;
    if (node.children.length > 0) {
      if (label !== '') out += ' ';
      pending.push(...[...node.children].reverse());
    }
    work.push(...pending);
  }
  return out;
}

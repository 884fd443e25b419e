/**
 * THREAD=REFERENCES (RFC 5256 §2.2 "REFERENCES"), with the choices Dovecot makes where the
 * RFC leaves room, so that both answer alike:
 * - messages are linked in UID order; a message's references are its References IDs, or
 *   the first In-Reply-To ID when References has none; a link that would make a loop is
 *   dropped, and an existing parent is kept over a later one, except that a message's own
 *   last reference (or having none) decides its parent (§2.2 step 1);
 * - a message without a valid Message-ID, or with one an earlier message has, gets an ID
 *   of its own;
 * - dummies (IDs no selected message has) are removed, their messages attached to the
 *   nearest real ancestor; a root dummy with one child gives way to it (steps 2-3);
 * - roots are gathered by base subject and merged (steps 5A-5C); threads and siblings are
 *   ordered by sent date, then UID (steps 4, 6).
 */
import type { ThreadInput, ThreadTree } from './thread-tree.js';

class IdNode {
  uid = 0;
  parent: IdNode | null = null;
  readonly children: IdNode[] = [];
}

interface Root {
  node: IdNode;
  dummy: boolean;
  ignore: boolean;
  uid: number;
  date: number;
  replyOrForward: boolean;
  /** The root this one's subject was gathered under (step 5B), if any. */
  parentRoot: Root | null;
}

export function threadByReferences(messages: readonly ThreadInput[]): ThreadTree[] {
  const byUid = new Map(messages.map((m) => [m.uid, m]));
  const nodes = linkMessages(messages);
  const date = (n: IdNode): number => byUid.get(n.uid)!.date;
  const order = (a: IdNode, b: IdNode): number => date(a) - date(b) || a.uid - b.uid;
  const roots = collectRoots(nodes);
  sortRoots(roots, order, date);
  gatherSubjects(roots, byUid);
  if (mergeSubjects(roots)) sortRoots(roots, order, date);
  return roots.filter((r) => !r.ignore).map((r) => tree(r, order));
}

/** Step 1: the ID table, every selected message placed on its node, links made. */
function linkMessages(messages: readonly ThreadInput[]): IdNode[] {
  const all: IdNode[] = [];
  const byId = new Map<string, IdNode>();
  const fresh = (): IdNode => {
    const node = new IdNode();
    all.push(node);
    return node;
  };
  const nodeFor = (id: string): IdNode => {
    let node = byId.get(id);
    if (!node) byId.set(id, (node = fresh()));
    return node;
  };
  for (const m of [...messages].sort((a, b) => a.uid - b.uid)) {
    let node = m.messageId === null ? fresh() : nodeFor(m.messageId);
    if (node.uid !== 0) node = fresh(); // a duplicate Message-ID
    node.uid = m.uid;
    let parent: IdNode | null = null;
    for (const id of m.references) {
      const next = nodeFor(id);
      if (parent) link(parent, next);
      parent = next;
    }
    if (node.parent && node.parent !== parent) node.parent = null;
    if (parent) link(parent, node);
  }
  return all;
}

function link(parent: IdNode, child: IdNode): void {
  for (let n: IdNode | null = parent; n; n = n.parent) if (n === child) return; // a loop
  if (!child.parent) child.parent = parent;
}

/** Steps 2-3: roots, and each message under its nearest real ancestor (or its root dummy). */
function collectRoots(nodes: readonly IdNode[]): Root[] {
  const roots: Root[] = [];
  for (const node of nodes) {
    if (!node.parent) {
      roots.push(newRoot(node));
      continue;
    }
    if (node.uid === 0) continue;
    let above = node.parent;
    while (above.uid === 0 && above.parent) above = above.parent;
    above.children.push(node);
  }
  return roots;
}

function newRoot(node: IdNode): Root {
  const dummy = node.uid === 0;
  return { node, dummy, ignore: false, uid: 0, date: 0, replyOrForward: false, parentRoot: null };
}

/** Step 4, and the deferred part of step 3 (a dummy with one child is replaced by it). */
function sortRoots(
  roots: Root[],
  order: (a: IdNode, b: IdNode) => number,
  date: (n: IdNode) => number,
): void {
  for (const r of roots) {
    if (r.ignore) continue;
    if (r.dummy) {
      if (r.node.children.length === 0) {
        r.ignore = true;
        continue;
      }
      const first = [...r.node.children].sort(order)[0]!;
      if (r.node.children.length === 1) [r.node, r.dummy] = [first, false];
      [r.uid, r.date] = [first.uid, date(first)];
    } else {
      [r.uid, r.date] = [r.node.uid, date(r.node)];
    }
  }
  roots.sort((a, b) => a.date - b.date || a.uid - b.uid);
}

/** Step 5B: the subject table. */
function gatherSubjects(roots: readonly Root[], byUid: ReadonlyMap<number, ThreadInput>): void {
  const table = new Map<string, Root>();
  for (const r of roots) {
    if (r.ignore) continue;
    // A dummy root has several children here; its subject is its oldest child's (r.uid).
    const message = byUid.get(r.dummy ? r.uid : r.node.uid)!;
    if (message.subject === null) continue;
    const { text, replyOrForward } = message.subject;
    if (text === '') continue;
    const held = table.get(text);
    if (!held) table.set(text, r);
    else if (!held.dummy && (r.dummy || (held.replyOrForward && !replyOrForward))) {
      held.parentRoot = r;
      table.set(text, r);
    } else {
      r.parentRoot = held;
    }
    r.replyOrForward = replyOrForward;
  }
}

/** Step 5C: roots with a subject in the table merged into its holder. */
function mergeSubjects(roots: Root[]): boolean {
  let changed = false;
  const count = roots.length;
  for (let i = 0; i < count; i++) {
    const cur = roots[i]!;
    if (!cur.parentRoot || cur.ignore) continue;
    changed = true;
    let top = cur.parentRoot;
    while (top.parentRoot) top = top.parentRoot;
    if (cur.dummy) {
      top.node.children.push(...cur.node.children);
      cur.node.children.length = 0;
      cur.ignore = true;
    } else if (top.dummy || (cur.replyOrForward && !top.replyOrForward)) {
      top.node.children.push(cur.node);
      cur.ignore = true;
    } else {
      const holder = newRoot(new IdNode());
      holder.node.children.push(top.node, cur.node);
      top.parentRoot = holder;
      top.ignore = cur.ignore = true;
      roots.push(holder);
    }
  }
  return changed;
}

/**
 * The finished thread of a root, children in order (step 6). Built without recursion, so
 * that a long chain of replies cannot exhaust the stack.
 */
function tree(root: Root, order: (a: IdNode, b: IdNode) => number): ThreadTree {
  const top = { uid: root.dummy ? 0 : root.node.uid, children: [] as ThreadTree[] };
  const work: [IdNode, ThreadTree[]][] = [[root.node, top.children]];
  while (work.length > 0) {
    const [node, into] = work.pop()!;
    for (const child of [...node.children].sort(order)) {
      const branch = { uid: child.uid, children: [] as ThreadTree[] };
      into.push(branch);
      work.push([child, branch.children]);
    }
  }
  return top;
}

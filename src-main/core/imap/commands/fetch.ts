/**
 * FETCH sequence-set items [(CHANGEDSINCE modseq)] — RFC 3501 §6.4.5; UID FETCH — §6.4.8 (UID
 * always included). Non-PEEK body sections set \Seen (unless read-only) and the new FLAGS are
 * reported. CHANGEDSINCE (RFC 7162 §3.1.4.1) keeps only messages whose MODSEQ is higher and
 * implies the MODSEQ item; it and MODSEQ enable CONDSTORE. UID FETCH's VANISHED modifier
 * (RFC 7162 §3.2.6, with CHANGEDSINCE, once QRESYNC is enabled) first sends
 * `VANISHED (EARLIER)` with the UIDs of the set expunged since. A FETCH that sets \Seen
 * without asking for MODSEQ is followed, once CONDSTORE is on, by `n FETCH ([UID] MODSEQ)`
 * of each message it changed (RFC 7162 §3.1.4), as Dovecot sends them.
 */
import { expectCount, sequenceSet } from '../args.js';
import type { ImapCommand, ImapContext } from '../command.js';
import type { MailboxView } from '../mailbox-view.js';
import { selectedView } from '../command.js';
import { parseFetchItems, type FetchItem } from '../fetch/items.js';
import { OutputBatch, prefetched } from '../fetch/output.js';
import { fetchResponse } from '../fetch/respond.js';
import { HEADER_SYNC_KEYS } from '../fetch/header-sync-facts.js';
import { UnknownCteError } from '../fetch/binary.js';
import type { Token } from '../parser.js';
import { no, ok, type CommandResult, type OutputPart } from '../response.js';
import { SELECTED } from '../state.js';
import { StoreError } from '../../store/errors.js';
import { ArgumentError } from '../args.js';
import { enableCondstore, modseqArg } from '../condstore.js';
import { formatRanges, QRESYNC, vanishedSince } from '../qresync.js';
import { normalise } from '../sequence-set.js';

async function run(
  ctx: ImapContext,
  args: readonly Token[],
  byUid: boolean,
): Promise<CommandResult> {
  if (args.length !== 3) expectCount(args, 2);
  const view = selectedView(ctx);
  const set = sequenceSet(args[0]);
  let items = parseFetchItems(args[1]);
  const { changedSince, vanished } =
    args.length === 3 ? fetchModifiers(ctx, args[2], byUid) : { vanished: false };
  if (changedSince !== undefined && !items.some((i) => i.kind === 'MODSEQ'))
    items = [...items, { kind: 'MODSEQ' }];
  if (items.some((i) => i.kind === 'MODSEQ')) enableCondstore(ctx);
  if (byUid && !items.some((i) => i.kind === 'UID')) items = [{ kind: 'UID' }, ...items];
  if (vanished) {
    const gone = vanishedSince(view, changedSince!, normalise(set, view.uidNext - 1));
    if (gone.length > 0) ctx.untagged(`VANISHED (EARLIER) ${formatRanges(gone)}`);
  }
  const marksSeen = !view.readOnly && items.some((i) => i.kind === 'section' && i.setsSeen);
  const seen: number[] = [];
  const build = async (uid: number): Promise<OutputPart[]> =>
    fetchResponse(view, uid, marksSeen ? await markSeen(ctx, uid, items, seen) : items);
  let missing = false;
  const batch = new OutputBatch(ctx);
  let uids = view.resolve(set, byUid);
  if (changedSince !== undefined)
    uids = uids.filter((uid) => (view.record(uid)?.modseq ?? 0) > changedSince);
  if (items.some((i) => i.kind === 'ENVELOPE' || i.kind === 'BODYSTRUCTURE' || i.kind === 'BODY'))
    view.mailbox.prepare(uids, HEADER_SYNC_KEYS); // parsed ahead on other threads where it can
  for await (const built of prefetched(uids, build)) {
    if ('parts' in built) await batch.add(built.parts);
    else if (built.error instanceof StoreError && built.error.code === 'EXPUNGED')
      missing = true; // RFC 3501 §7.4.1: gone underneath; reported below, EXPUNGE comes later
    else if (built.error instanceof UnknownCteError) {
      // RFC 3516 §4.3; like Dovecot, the FETCH ends at that message, its other items sent.
      await batch.add(built.error.partial);
      await batch.flush();
      return no('Unknown Content-Transfer-Encoding', 'UNKNOWN-CTE');
    } else {
      await batch.flush();
      throw built.error;
    }
  }
  await batch.flush();
  if (view.reportModseq && !items.some((i) => i.kind === 'MODSEQ')) modseqsOf(ctx, view, seen);
  return missing
    ? no('Some of the requested messages no longer exist.', 'EXPUNGEISSUED')
    : ok('Fetch completed.');
}

/**
 * `(CHANGEDSINCE n)`, `(CHANGEDSINCE n VANISHED)` in any order. VANISHED alone, in FETCH by
 * number, or before ENABLE QRESYNC is BAD (RFC 7162 §3.2.6), as in Dovecot.
 */
function fetchModifiers(
  ctx: ImapContext,
  token: Token | undefined,
  byUid: boolean,
): { changedSince?: number; vanished: boolean } {
  const items = token?.type === 'list' ? token.items : [];
  let changedSince: number | undefined;
  let vanished = false;
  for (let i = 0; i < items.length; i++) {
    const name = items[i]?.type === 'atom' ? (items[i] as { value: string }).value : '';
    if (name.toUpperCase() === 'CHANGEDSINCE' && changedSince === undefined)
      changedSince = modseqArg(items[++i], true);
    else if (name.toUpperCase() === 'VANISHED' && !vanished) vanished = true;
    else throw new ArgumentError('Unknown or repeated modifier');
  }
  if (items.length === 0) throw new ArgumentError('Expected a list of modifiers');
  if (vanished && (!byUid || changedSince === undefined || !ctx.enabled.has(QRESYNC)))
    throw new ArgumentError('VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC');
  return { changedSince, vanished };
}

/** The new MODSEQ of messages whose \Seen this FETCH set (UID first with QRESYNC on). */
function modseqsOf(ctx: ImapContext, view: MailboxView, uids: readonly number[]): void {
  for (const uid of [...uids].sort((a, b) => a - b)) {
    const record = view.record(uid);
    if (!record) continue;
    view.noteModseqSent(record.modseq);
    const id = view.qresync ? `UID ${uid} ` : '';
    ctx.untagged(`${view.seqOf(uid)!} FETCH (${id}MODSEQ (${record.modseq}))`);
  }
}

/**
 * Sets \Seen before the response is built (noting the UID in `changed`); adds FLAGS to the
 * items if it changed.
 */
async function markSeen(
  ctx: ImapContext,
  uid: number,
  items: FetchItem[],
  changed: number[],
): Promise<FetchItem[]> {
  const view = selectedView(ctx);
  if (view.record(uid)?.flags.has('\\Seen')) return items;
  view.noteFlags(await view.mailbox.updateFlags(uid, 'add', ['\\Seen']));
  changed.push(uid);
  if (items.some((i) => i.kind === 'FLAGS')) return items;
  // Where Dovecot puts it: first, after UID and MODSEQ.
  let at = 0;
  while (items[at]?.kind === 'UID' || items[at]?.kind === 'MODSEQ') at++;
  return [...items.slice(0, at), { kind: 'FLAGS' }, ...items.slice(at)];
}

export const fetch: ImapCommand = {
  name: 'FETCH',
  states: SELECTED,
  allowsExpunge: false,
  handle: (ctx, args) => run(ctx, args, false),
};

export const uidFetch: ImapCommand = {
  name: 'UID FETCH',
  states: SELECTED,
  handle: (ctx, args) => run(ctx, args, true),
};

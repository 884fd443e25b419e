/**
 * STORE sequence-set [(UNCHANGEDSINCE modseq)] (FLAGS|+FLAGS|-FLAGS)[.SILENT] flags —
 * RFC 3501 §6.4.6; UID STORE. Each changed message is reported as `* n FETCH (FLAGS …)` (with
 * UID for UID STORE, and MODSEQ once CONDSTORE is on) unless .SILENT. UNCHANGEDSINCE
 * (RFC 7162 §3.1.3) leaves messages whose MODSEQ is higher alone and names them in
 * `[MODIFIED set]`; it enables CONDSTORE.
 */
import { ArgumentError, expectCount, flags as parseFlags, sequenceSet } from '../args.js';
import type { ImapCommand, ImapContext } from '../command.js';
import { selectedView } from '../command.js';
import type { Token } from '../parser.js';
import { flagList, no, ok, type CommandResult } from '../response.js';
import type { MailboxView } from '../mailbox-view.js';
import { enableCondstore, modifiers, modseqArg } from '../condstore.js';
import { SELECTED } from '../state.js';
import { formatNumbers } from '../sequence-set.js';
import type { FlagUpdate } from '../../store/types.js';

const MODES: Readonly<Record<string, FlagUpdate>> = {
  FLAGS: 'set',
  '+FLAGS': 'add',
  '-FLAGS': 'remove',
};

interface Request {
  readonly mode: FlagUpdate;
  readonly flags: readonly string[];
  readonly unchangedSince: number | undefined;
}

async function run(
  ctx: ImapContext,
  args: readonly Token[],
  byUid: boolean,
  unchangedSince?: number,
): Promise<CommandResult> {
  if (args.length === 4) {
    const since = modseqArg(modifiers(args[1], ['UNCHANGEDSINCE']).get('UNCHANGEDSINCE'), true);
    return run(ctx, [args[0]!, args[2]!, args[3]!], byUid, since);
  }
  expectCount(args, 3);
  const view = selectedView(ctx);
  const set = sequenceSet(args[0]);
  const item = args[1]?.type === 'atom' ? args[1].value.toUpperCase() : '';
  const silent = item.endsWith('.SILENT');
  const mode = MODES[silent ? item.slice(0, -7) : item];
  if (!mode) throw new ArgumentError('Expected FLAGS, +FLAGS or -FLAGS');
  const request: Request = { mode, flags: parseFlags(args[2]), unchangedSince };
  if (view.readOnly) return no('The mailbox is open read-only (EXAMINE).', 'READ-ONLY');
  if (unchangedSince !== undefined) enableCondstore(ctx);
  let expunged = false;
  const modified: number[] = [];
  const uids = view.resolve(set, byUid).filter((uid) => {
    if (view.isVanished(uid)) expunged = true;
    return !view.isVanished(uid);
  });
  // The store changes them a batch at a time under its lock (one shared MODSEQ per batch).
  // MODSEQs before, for .SILENT with CONDSTORE: only a changed message is reported.
  const before = silent && view.reportModseq ? uids.map((uid) => view.record(uid)?.modseq) : [];
  const outcomes = await view.mailbox.updateFlagsMany(
    uids,
    request.mode,
    request.flags,
    request.unchangedSince,
  );
  let checkedFlags: ReadonlySet<string> | undefined;
  for (const [i, uid] of uids.entries()) {
    const outcome = outcomes[i]!;
    if (outcome === 'expunged') expunged = true;
    else if (outcome === 'modified') modified.push(byUid ? uid : view.seqOf(uid)!);
    else {
      view.noteFlags(outcome);
      if (outcome.flags !== checkedFlags) {
        // Records share one flag set per combination: each set is looked at once.
        checkedFlags = outcome.flags;
        for (const line of view.newKeywords(outcome.flags)) ctx.untagged(line);
      }
      if (!silent || (view.reportModseq && outcome.modseq !== before[i]))
        ctx.untagged(changeResponse(view, uid, byUid, silent));
    }
  }
  if (modified.length > 0)
    return ok('Conditional store failed.', `MODIFIED ${formatNumbers(modified)}`);
  return expunged
    ? no('Some of the messages no longer exist.', 'EXPUNGEISSUED')
    : ok('Store completed.');
}

/**
 * `n FETCH (…)` for a stored message, as Dovecot writes it: UID (UID STORE, or QRESYNC on), MODSEQ once
 * CONDSTORE is on, then FLAGS; with .SILENT only the MODSEQ of a changed message, which the
 * client cannot know otherwise (RFC 7162 §3.1.3).
 */
function changeResponse(view: MailboxView, uid: number, byUid: boolean, silent: boolean): string {
  const record = view.record(uid)!;
  const items: string[] = byUid || view.qresync ? [`UID ${uid}`] : [];
  if (view.reportModseq) {
    items.push(`MODSEQ (${record.modseq})`);
    view.noteModseqSent(record.modseq);
  }
  if (!silent) items.push(`FLAGS ${flagList(view.flags(uid))}`);
  return `${view.seqOf(uid)!} FETCH (${items.join(' ')})`;
}

export const store: ImapCommand = {
  name: 'STORE',
  states: SELECTED,
  allowsExpunge: false,
  handle: (ctx, args) => run(ctx, args, false),
};

export const uidStore: ImapCommand = {
  name: 'UID STORE',
  states: SELECTED,
  handle: (ctx, args) => run(ctx, args, true),
};

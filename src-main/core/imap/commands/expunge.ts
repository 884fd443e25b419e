/**
 * EXPUNGE — RFC 3501 §6.4.3; UID EXPUNGE sequence-set — RFC 4315 §2.1 (only those UIDs).
 * Removes \Deleted messages and reports each with `* n EXPUNGE`.
 */
import { expectCount, sequenceSet } from '../args.js';
import type { ImapCommand, ImapContext } from '../command.js';
import { selectedView } from '../command.js';
import type { Token } from '../parser.js';
import { no, ok, type CommandResult } from '../response.js';
import { SELECTED } from '../state.js';

async function run(
  ctx: ImapContext,
  args: readonly Token[],
  byUid: boolean,
): Promise<CommandResult> {
  expectCount(args, byUid ? 1 : 0);
  const view = selectedView(ctx);
  if (view.readOnly) return no('The mailbox is open read-only (EXAMINE).', 'READ-ONLY');
  const scope = byUid ? new Set(view.resolve(sequenceSet(args[0]), true)) : undefined;
  const deleted = view.uids.filter(
    (uid) => view.record(uid)?.flags.has('\\Deleted') && (!scope || scope.has(uid)),
  );
  const removed = await view.mailbox.expunge(deleted);
  for (const line of view.expunged(removed)) ctx.untagged(line);
  return ok('Expunge completed.');
}

export const expunge: ImapCommand = {
  name: 'EXPUNGE',
  states: SELECTED,
  handle: (ctx, args) => run(ctx, args, false),
};

export const uidExpunge: ImapCommand = {
  name: 'UID EXPUNGE',
  states: SELECTED,
  handle: (ctx, args) => run(ctx, args, true),
};

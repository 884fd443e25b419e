/**
 * COPY sequence-set mailbox — RFC 3501 §6.4.7 with COPYUID (RFC 4315 §3); MOVE — RFC 6851:
 * the copy, then `* OK [COPYUID …]`, then EXPUNGE responses, then the tagged OK.
 */
import { expectCount, mailboxName, sequenceSet } from '../args.js';
import type { ImapCommand, ImapContext } from '../command.js';
import { selectedView } from '../command.js';
import type { Token } from '../parser.js';
import { no, ok, type CommandResult } from '../response.js';
import { formatNumbers } from '../sequence-set.js';
import { SELECTED } from '../state.js';
import { StoreError } from '../../store/errors.js';
import { quoteInput } from '../../net/client-text.js';

async function run(
  ctx: ImapContext,
  args: readonly Token[],
  byUid: boolean,
  move: boolean,
): Promise<CommandResult> {
  expectCount(args, 2);
  const view = selectedView(ctx);
  const set = sequenceSet(args[0]);
  const target = mailboxName(args[1], ctx);
  if (move && view.readOnly) return no('The mailbox is open read-only (EXAMINE).', 'READ-ONLY');
  const uids = view.resolve(set, byUid).filter((uid) => !view.isVanished(uid));
  if (uids.length === 0) return ok(move ? 'No messages moved.' : 'No messages copied.');
  let pairs: [number, number][];
  try {
    pairs = await view.mailbox.copyTo(uids, target);
  } catch (err) {
    if (err instanceof StoreError && err.code === 'NOT_FOUND')
      return no(`Mailbox ${quoteInput(target)} does not exist`, 'TRYCREATE');
    throw err;
  }
  const counts = await targetUidValidity(ctx, target);
  const code = `COPYUID ${counts} ${formatNumbers(pairs.map(([s]) => s))} ${formatNumbers(pairs.map(([, d]) => d))}`;
  if (!move) return ok('Copy completed.', code);
  ctx.untagged(`OK [${code}] Moved UIDs.`);
  const removed = await view.mailbox.expunge(pairs.map(([s]) => s));
  for (const line of view.expunged(removed)) ctx.untagged(line);
  return ok('Move completed.');
}

async function targetUidValidity(ctx: ImapContext, target: string): Promise<number> {
  const state = ctx.state;
  if (state.kind !== 'selected') throw new Error('not selected');
  return (await state.store.counts(target)).uidValidity;
}

export const copy: ImapCommand = {
  name: 'COPY',
  states: SELECTED,
  handle: (c, a) => run(c, a, false, false),
};
export const uidCopy: ImapCommand = {
  name: 'UID COPY',
  states: SELECTED,
  handle: (c, a) => run(c, a, true, false),
};
export const move: ImapCommand = {
  name: 'MOVE',
  states: SELECTED,
  handle: (c, a) => run(c, a, false, true),
};
export const uidMove: ImapCommand = {
  name: 'UID MOVE',
  states: SELECTED,
  handle: (c, a) => run(c, a, true, true),
};

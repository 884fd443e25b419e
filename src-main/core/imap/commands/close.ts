/**
 * CLOSE — RFC 3501 §6.4.2: expunges \Deleted messages silently (unless read-only), then
 * leaves the mailbox. UNSELECT — RFC 3691: leaves without expunging.
 */
import type { ImapCommand, ImapContext } from '../command.js';
import { bad, ok, type CommandResult } from '../response.js';
import { SELECTED } from '../state.js';

async function leave(ctx: ImapContext, expunge: boolean): Promise<CommandResult> {
  const state = ctx.state;
  if (state.kind !== 'selected') throw new Error('not selected');
  const { view } = state;
  if (expunge && !view.readOnly) {
    const deleted = view.uids.filter((uid) => view.record(uid)?.flags.has('\\Deleted'));
    await view.mailbox.expunge(deleted);
  }
  ctx.state = { kind: 'authenticated', account: state.account, store: state.store };
  await view.close();
  return ok(expunge ? 'Close completed.' : 'Unselect completed.');
}

export const close: ImapCommand = {
  name: 'CLOSE',
  states: SELECTED,
  handle: (ctx, args) => (args.length ? bad('CLOSE takes no arguments') : leave(ctx, true)),
};

export const unselect: ImapCommand = {
  name: 'UNSELECT',
  states: SELECTED,
  handle: (ctx, args) => (args.length ? bad('UNSELECT takes no arguments') : leave(ctx, false)),
};

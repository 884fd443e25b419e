/**
 * STORE sequence-set (FLAGS|+FLAGS|-FLAGS)[.SILENT] flags — RFC 3501 §6.4.6; UID STORE.
 * Each changed message is reported as `* n FETCH (FLAGS …)` (with UID for UID STORE) unless
 * .SILENT.
 */
import { ArgumentError, expectCount, flags as parseFlags, sequenceSet } from '../args.js';
import type { ImapCommand, ImapContext } from '../command.js';
import { selectedView } from '../command.js';
import type { Token } from '../parser.js';
import { flagList, no, ok, type CommandResult } from '../response.js';
import { SELECTED } from '../state.js';
import type { FlagUpdate } from '../../store/types.js';
import { StoreError } from '../../store/errors.js';

const MODES: Readonly<Record<string, FlagUpdate>> = {
  FLAGS: 'set',
  '+FLAGS': 'add',
  '-FLAGS': 'remove',
};

async function run(
  ctx: ImapContext,
  args: readonly Token[],
  byUid: boolean,
): Promise<CommandResult> {
  expectCount(args, 3);
  const view = selectedView(ctx);
  const set = sequenceSet(args[0]);
  const item = args[1]?.type === 'atom' ? args[1].value.toUpperCase() : '';
  const silent = item.endsWith('.SILENT');
  const mode = MODES[silent ? item.slice(0, -7) : item];
  if (!mode) throw new ArgumentError('Expected FLAGS, +FLAGS or -FLAGS');
  const flags = parseFlags(args[2]);
  if (view.readOnly) return no('The mailbox is open read-only (EXAMINE).', 'READ-ONLY');
  let expunged = false;
  for (const uid of view.resolve(set, byUid)) {
    if (view.isVanished(uid)) {
      expunged = true;
      continue;
    }
    try {
      const record = await view.mailbox.updateFlags(uid, mode, flags);
      view.noteFlags(record);
      for (const line of view.newKeywords(record.flags)) ctx.untagged(line);
    } catch (err) {
      if (err instanceof StoreError && err.code === 'EXPUNGED') {
        expunged = true;
        continue;
      }
      throw err;
    }
    if (silent) continue;
    const seq = view.seqOf(uid)!;
    ctx.untagged(`${seq} FETCH (${byUid ? `UID ${uid} ` : ''}FLAGS ${flagList(view.flags(uid))})`);
  }
  return expunged
    ? no('Some of the messages no longer exist.', 'EXPUNGEISSUED')
    : ok('Store completed.');
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

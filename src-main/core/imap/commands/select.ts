/**
 * SELECT / EXAMINE mailbox [(CONDSTORE)] — RFC 3501 §6.3.1, §6.3.2; the CONDSTORE parameter
 * and HIGHESTMODSEQ of RFC 7162 §3.1.2.1 (select-param, RFC 4466 §2.1). Selecting another
 * mailbox first closes the current one without expunging (RFC 3501 §6.3.1; the CLOSED code of
 * RFC 7162 §3.2.11).
 */
import { ArgumentError, expectCount, mailboxName } from '../args.js';
import { CONDSTORE } from '../condstore.js';
import type { Token } from '../parser.js';
import type { ImapCommand, ImapContext } from '../command.js';
import { ok, type CommandResult } from '../response.js';
import type { MailboxView } from '../mailbox-view.js';
import { AUTHENTICATED } from '../state.js';

async function open(
  ctx: ImapContext,
  args: Parameters<ImapCommand['handle']>[1],
  readOnly: boolean,
): Promise<CommandResult> {
  const state = ctx.state;
  if (state.kind !== 'authenticated' && state.kind !== 'selected') throw new Error('not logged in');
  let view: MailboxView;
  try {
    if (args.length === 2) selectParams(args[1]);
    else expectCount(args, 1);
    view = await ctx.openView(mailboxName(args[0]), readOnly);
  } finally {
    // Even a SELECT that fails leaves no mailbox selected (RFC 3501 §6.3.1), as in Dovecot.
    // The previous view closes once the new one is open: selecting the same mailbox again
    // keeps its folder open in the store rather than reading it from disk again.
    if (state.kind === 'selected') {
      ctx.state = { kind: 'authenticated', account: state.account, store: state.store };
      await state.view.close();
      ctx.untagged('OK [CLOSED] Previous mailbox closed.');
    }
  }
  const { firstUnseen, keywords } = view.summary; // shared while the mailbox is unchanged
  view.newKeywords(keywords);
  for (const line of view.flagsResponses()) ctx.untagged(line);
  ctx.untagged(`${view.exists} EXISTS`);
  ctx.untagged(`${view.recentCount} RECENT`);
  if (firstUnseen) ctx.untagged(`OK [UNSEEN ${firstUnseen}] First unseen.`);
  ctx.untagged(`OK [UIDVALIDITY ${view.uidValidity}] UIDs valid`);
  ctx.untagged(`OK [UIDNEXT ${view.uidNext}] Predicted next UID`);
  if (args.length === 2) ctx.enabled.add(CONDSTORE);
  if (ctx.enabled.has(CONDSTORE)) {
    view.reportModseq = true;
    ctx.untagged(`OK [HIGHESTMODSEQ ${view.highestModseq}] Highest`);
  }
  ctx.state = { kind: 'selected', account: state.account, store: state.store, view };
  return ok(
    readOnly ? 'Examine completed.' : 'Select completed.',
    readOnly ? 'READ-ONLY' : 'READ-WRITE',
  );
}

/** The only select-param offered: CONDSTORE. */
function selectParams(token: Token | undefined): void {
  const items = token?.type === 'list' ? token.items : [];
  const only = items.length === 1 && items[0]?.type === 'atom' ? items[0].value : '';
  if (only.toUpperCase() !== CONDSTORE) throw new ArgumentError('Unknown SELECT parameters');
}

export const select: ImapCommand = {
  name: 'SELECT',
  states: AUTHENTICATED,
  handle: (ctx, args) => open(ctx, args, false),
};

export const examine: ImapCommand = {
  name: 'EXAMINE',
  states: AUTHENTICATED,
  handle: (ctx, args) => open(ctx, args, true),
};

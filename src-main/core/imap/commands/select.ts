/**
 * SELECT / EXAMINE mailbox [(CONDSTORE / QRESYNC (uidvalidity modseq [known-uids
 * [(seqs uids)]]))] — RFC 3501 §6.3.1, §6.3.2; the CONDSTORE parameter and HIGHESTMODSEQ of
 * RFC 7162 §3.1.2.1, the QRESYNC parameter of §3.2.5 (select-param, RFC 4466 §2.1). Selecting
 * another mailbox first closes the current one without expunging (RFC 3501 §6.3.1; the CLOSED
 * code of RFC 7162 §3.2.11). With QRESYNC and the client's UIDVALIDITY, the usual answer is
 * followed by `VANISHED (EARLIER)` and a FETCH of each message changed since its modseq, in
 * Dovecot's order; QRESYNC needs ENABLE QRESYNC first (§3.2.3), else it is BAD.
 */
import { ArgumentError, expectCount, mailboxName } from '../args.js';
import { CONDSTORE } from '../condstore.js';
import type { MailboxView } from '../mailbox-view.js';
import {
  formatRanges,
  QRESYNC,
  qresyncParams,
  vanishedSince,
  type QresyncParams,
} from '../qresync.js';
import type { Token } from '../parser.js';
import type { ImapCommand, ImapContext } from '../command.js';
import { flagList, ok, type CommandResult } from '../response.js';
import { contains } from '../sequence-set.js';
import { AUTHENTICATED } from '../state.js';
import { rev2Enabled } from '../imap4rev2.js';
import { selectedListLine } from './list.js';

async function open(
  ctx: ImapContext,
  args: Parameters<ImapCommand['handle']>[1],
  readOnly: boolean,
): Promise<CommandResult> {
  const state = ctx.state;
  if (state.kind !== 'authenticated' && state.kind !== 'selected') throw new Error('not logged in');
  let view: MailboxView;
  let qresync: QresyncParams | undefined;
  let listLine: string | undefined;
  const rev2 = rev2Enabled(ctx);
  try {
    qresync = args.length === 2 ? selectParams(ctx, args[1]) : undefined;
    if (args.length !== 2) expectCount(args, 1);
    const name = mailboxName(args[0], ctx);
    // RFC 9051 §6.3.2: IMAP4rev2 names the mailbox in a LIST response, with no RECENT or UNSEEN.
    listLine = rev2 ? await selectedListLine(ctx, name) : undefined;
    view = await ctx.openView(name, readOnly);
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
  view.reportRecent = !rev2;
  if (!rev2) ctx.untagged(`${view.recentCount} RECENT`);
  if (firstUnseen && !rev2) ctx.untagged(`OK [UNSEEN ${firstUnseen}] First unseen.`);
  ctx.untagged(`OK [UIDVALIDITY ${view.uidValidity}] UIDs valid`);
  ctx.untagged(`OK [UIDNEXT ${view.uidNext}] Predicted next UID`);
  if (listLine) ctx.untagged(listLine);
  if (args.length === 2) ctx.enabled.add(CONDSTORE);
  if (ctx.enabled.has(CONDSTORE)) {
    view.reportModseq = true;
    ctx.untagged(`OK [HIGHESTMODSEQ ${view.highestModseq}] Highest`);
  }
  view.qresync = ctx.enabled.has(QRESYNC);
  if (qresync?.uidValidity === view.uidValidity)
    for (const line of resync(view, qresync)) ctx.untagged(line);
  ctx.state = { kind: 'selected', account: state.account, store: state.store, view };
  return ok(
    readOnly ? 'Examine completed.' : 'Select completed.',
    readOnly ? 'READ-ONLY' : 'READ-WRITE',
  );
}

/** The select-params offered: CONDSTORE, and QRESYNC once enabled. */
function selectParams(ctx: ImapContext, token: Token | undefined): QresyncParams | undefined {
  const items = token?.type === 'list' ? token.items : [];
  if (items.length === 0) throw new ArgumentError('Unknown SELECT parameters');
  let qresync: QresyncParams | undefined;
  let condstore = false;
  for (let i = 0; i < items.length; i++) {
    const name = items[i]?.type === 'atom' ? (items[i] as { value: string }).value : '';
    if (name.toUpperCase() === CONDSTORE && !condstore) {
      condstore = true;
    } else if (name.toUpperCase() === QRESYNC && !qresync) {
      if (!ctx.enabled.has(QRESYNC)) throw new ArgumentError('QRESYNC needs ENABLE QRESYNC first');
      qresync = qresyncParams(items[++i]);
    } else {
      throw new ArgumentError('Unknown SELECT parameters');
    }
  }
  return qresync;
}

/**
 * What a QRESYNC client missed (RFC 7162 §3.2.5.1, §3.2.5.2): the UIDs gone, then each message
 * changed since its modseq as `n FETCH (UID FLAGS MODSEQ)`, Dovecot's order and items. Only
 * the view's records are read (no message file).
 */
function resync(view: MailboxView, params: QresyncParams): string[] {
  const out: string[] = [];
  const gone = vanishedSince(view, params.modseq, params.knownUids, params.seqMatch);
  if (gone.length > 0) out.push(`VANISHED (EARLIER) ${formatRanges(gone)}`);
  const known = params.knownUids?.map(([a, b]) => [a, b] as const);
  for (let seq = 1; seq <= view.exists; seq++) {
    const record = view.recordAt(seq)!;
    if (record.modseq <= params.modseq) continue;
    if (known && !contains(known, record.uid, 0)) continue;
    const flags = flagList(view.flags(record.uid));
    out.push(`${seq} FETCH (UID ${record.uid} FLAGS ${flags} MODSEQ (${record.modseq}))`);
  }
  return out;
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

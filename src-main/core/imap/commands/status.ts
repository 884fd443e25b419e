/**
 * STATUS mailbox (items) — RFC 3501 §6.3.10: MESSAGES, RECENT, UIDNEXT, UIDVALIDITY, UNSEEN
 * (and SIZE, RFC 8438; HIGHESTMODSEQ, RFC 7162 §3.1.9, which enables CONDSTORE), without
 * selecting and without claiming \Recent.
 *
 *   status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
 */
import { expectCount, mailboxName } from '../args.js';
import type { ImapCommand } from '../command.js';
import { ok } from '../response.js';
import { AUTHENTICATED } from '../state.js';
import { statusItems, statusLine } from '../status-items.js';
import { loggedIn } from './mailboxes.js';
import { enableCondstore } from '../condstore.js';

export const status: ImapCommand = {
  name: 'STATUS',
  states: AUTHENTICATED,
  async handle(ctx, args) {
    expectCount(args, 2);
    const name = mailboxName(args[0], ctx);
    const items = statusItems(args[1], ctx);
    const counts = await loggedIn(ctx).store.counts(name);
    if (items.has('HIGHESTMODSEQ')) enableCondstore(ctx);
    ctx.untagged(statusLine(name, items, counts, ctx));
    return ok('Status completed.');
  },
};

/**
 * STATUS mailbox (items) — RFC 3501 §6.3.10: MESSAGES, RECENT, UIDNEXT, UIDVALIDITY, UNSEEN
 * (and SIZE, RFC 8438; HIGHESTMODSEQ, RFC 7162 §3.1.9, which enables CONDSTORE), without
 * selecting and without claiming \Recent.
 */
import { ArgumentError, expectCount, mailboxName } from '../args.js';
import type { ImapCommand } from '../command.js';
import { ok } from '../response.js';
import { astring as formatName } from '../format/imap-string.js';
import { AUTHENTICATED } from '../state.js';
import { encodeModifiedUtf7 } from '../../store/mailbox-name.js';
import type { MailboxCounts } from '../../store/types.js';
import { loggedIn } from './mailboxes.js';
import { quoteInput } from '../../net/client-text.js';
import { enableCondstore } from '../condstore.js';

const ITEMS: Readonly<Record<string, keyof MailboxCounts>> = {
  MESSAGES: 'messages',
  RECENT: 'recent',
  UIDNEXT: 'uidNext',
  UIDVALIDITY: 'uidValidity',
  UNSEEN: 'unseen',
  SIZE: 'size',
  HIGHESTMODSEQ: 'highestModseq',
};

export const status: ImapCommand = {
  name: 'STATUS',
  states: AUTHENTICATED,
  async handle(ctx, args) {
    expectCount(args, 2);
    const name = mailboxName(args[0]);
    const list = args[1];
    if (list?.type !== 'list' || list.items.length === 0)
      throw new ArgumentError('Usage: STATUS mailbox (items)');
    const items = list.items.map((t) => {
      const key = t.type === 'atom' ? t.value.toUpperCase() : '';
      if (!ITEMS[key]) throw new ArgumentError(`Unknown STATUS item ${quoteInput(key || '?')}`);
      return key;
    });
    const counts = await loggedIn(ctx).store.counts(name);
    if (items.includes('HIGHESTMODSEQ')) enableCondstore(ctx);
    const values = items.map((item) => `${item} ${counts[ITEMS[item]!]}`);
    ctx.untagged(`STATUS ${formatName(encodeModifiedUtf7(name))} (${values.join(' ')})`);
    return ok('Status completed.');
  },
};

/**
 * APPEND mailbox [flag-list] [date-time] literal — RFC 3501 §6.3.11, with the APPENDUID code of
 * RFC 4315 §3. A missing mailbox answers [TRYCREATE].
 */
import { ArgumentError, flags as parseFlags, mailboxName } from '../args.js';
import type { ImapCommand } from '../command.js';
import { parseDateTime } from '../date-time.js';
import { no, ok } from '../response.js';
import { AUTHENTICATED } from '../state.js';
import { StoreError } from '../../store/errors.js';
import { loggedIn } from './mailboxes.js';
import { quoteInput } from '../../net/client-text.js';

export const append: ImapCommand = {
  name: 'APPEND',
  states: AUTHENTICATED,
  async handle(ctx, args) {
    const name = mailboxName(args[0]);
    const rest = args.slice(1);
    const message = rest.pop();
    if (message?.type !== 'string' || !message.literal)
      throw new ArgumentError('APPEND needs the message as a literal');
    let flags: string[] = [];
    let internalDate: Date | undefined;
    for (const token of rest) {
      if (token.type === 'list' && !flags.length) flags = parseFlags(token);
      else if (token.type === 'string' && !internalDate) {
        internalDate = parseDateTime(token.value.toString('latin1'));
        if (!internalDate) throw new ArgumentError('Invalid date-time');
      } else throw new ArgumentError('Usage: APPEND mailbox [(flags)] ["date-time"] {size}');
    }
    if (message.value.length === 0) return no('Refusing an empty message.');
    const { store } = loggedIn(ctx);
    let mailbox;
    try {
      mailbox = await store.openMailbox(name);
    } catch (err) {
      if (err instanceof StoreError && err.code === 'NOT_FOUND')
        return no(`Mailbox ${quoteInput(name)} does not exist`, 'TRYCREATE');
      throw err;
    }
    try {
      const uid = await mailbox.append(message.value, {
        flags,
        ...(internalDate && { internalDate }),
      });
      const { uidValidity } = await mailbox.sync({ claimRecent: false });
      return ok('Append completed.', `APPENDUID ${uidValidity} ${uid}`);
    } finally {
      await mailbox.close();
    }
  },
};

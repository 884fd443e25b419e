/**
 * APPEND — RFC 3501 §6.3.11 with MULTIAPPEND (RFC 3502) and the APPENDUID code of RFC 4315 §3.
 * A missing mailbox answers [TRYCREATE].
 *
 *   append         = "APPEND" SP mailbox 1*append-message        ; RFC 3502 §6.3.11
 *   append-message = [SP flag-list] [SP date-time] SP literal
 *
 * Every message is checked before any is stored, and the store writes them all or none: a
 * failure of any one means none was appended (RFC 3502 §6.3.11).
 */
import { ArgumentError, flags as parseFlags, mailboxName } from '../args.js';
import type { ImapCommand } from '../command.js';
import { parseDateTime } from '../date-time.js';
import type { Token } from '../parser.js';
import { no, ok } from '../response.js';
import { formatNumbers } from '../sequence-set.js';
import { AUTHENTICATED } from '../state.js';
import { StoreError } from '../../store/errors.js';
import type { NewMessage } from '../../store/types.js';
import { loggedIn } from './mailboxes.js';
import { quoteInput } from '../../net/client-text.js';

const USAGE = 'Usage: APPEND mailbox [(flags)] ["date-time"] {size} …';

export const append: ImapCommand = {
  name: 'APPEND',
  states: AUTHENTICATED,
  async handle(ctx, args) {
    const name = mailboxName(args[0]);
    const messages = appendMessages(args.slice(1));
    if (messages.some((m) => m.bytes.length === 0)) return no('Refusing an empty message.');
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
      const uids = await mailbox.appendAll(messages);
      const { uidValidity } = await mailbox.sync({ claimRecent: false });
      return ok('Append completed.', `APPENDUID ${uidValidity} ${formatNumbers(uids)}`);
    } finally {
      await mailbox.close();
    }
  },
};

/** The messages after the mailbox name: each its optional flags and date, then its literal. */
function appendMessages(tokens: readonly Token[]): NewMessage[] {
  const messages: NewMessage[] = [];
  let flags: string[] | undefined;
  let internalDate: Date | undefined;
  for (const token of tokens) {
    if (token.type === 'string' && token.literal) {
      messages.push({
        bytes: token.value,
        flags: flags ?? [],
        ...(internalDate && { internalDate }),
      });
      flags = undefined;
      internalDate = undefined;
    } else if (token.type === 'list' && !flags && !internalDate) flags = parseFlags(token);
    else if (token.type === 'string' && !internalDate) {
      internalDate = parseDateTime(token.value.toString('latin1'));
      if (!internalDate) throw new ArgumentError('Invalid date-time');
    } else throw new ArgumentError(USAGE);
  }
  if (messages.length === 0 || flags || internalDate)
    throw new ArgumentError('APPEND needs each message as a literal');
  return messages;
}

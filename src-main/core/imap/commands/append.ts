/**
 * APPEND — RFC 3501 §6.3.11 with MULTIAPPEND (RFC 3502) and the APPENDUID code of RFC 4315 §3.
 * A missing mailbox answers [TRYCREATE].
 *
 *   append         = "APPEND" SP mailbox 1*append-message        ; RFC 3502 §6.3.11
 *   append-message = [SP flag-list] [SP date-time] SP append-data
 *   append-data    = literal / "UTF8" SP "(" literal8 ")"         ; RFC 6855 §4
 *
 * Every message is checked before any is stored, and the store writes them all or none: a
 * failure of any one means none was appended (RFC 3502 §6.3.11). The `UTF8 (…)` form is taken
 * once the session enabled UTF8=ACCEPT (RFC 6855 §4) and stored as it came, like any literal;
 * before that it is BAD, as the command was before the extension.
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
import { utf8Accepted } from '../utf8-accept.js';

const USAGE = 'Usage: APPEND mailbox [(flags)] ["date-time"] {size} …';

export const append: ImapCommand = {
  name: 'APPEND',
  states: AUTHENTICATED,
  async handle(ctx, args) {
    const name = mailboxName(args[0], ctx);
    const messages = appendMessages(args.slice(1), utf8Accepted(ctx));
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
function appendMessages(tokens: readonly Token[], utf8: boolean): NewMessage[] {
  const messages: NewMessage[] = [];
  let flags: string[] | undefined;
  let internalDate: Date | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const bytes = messageLiteral(token) ?? (utf8 ? utf8Data(token, tokens[i + 1]) : undefined);
    if (bytes) {
      if (token.type === 'atom') i++; // UTF8 and its list
      messages.push({
        bytes,
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

function messageLiteral(token: Token): Buffer | undefined {
  return token.type === 'string' && token.literal ? token.value : undefined;
}

/**
 * RFC 6855 §4 `"UTF8" SP "(" literal8 ")"`: the message inside. The reader does not say
 * whether the literal was `~{n}` or `{n}`; both are taken, since the octets are the same.
 */
function utf8Data(token: Token, next: Token | undefined): Buffer | undefined {
  if (token.type !== 'atom' || token.value.toUpperCase() !== 'UTF8') return undefined;
  const inner = next?.type === 'list' && next.items.length === 1 ? next.items[0] : undefined;
  const bytes = inner && messageLiteral(inner);
  if (!bytes) throw new ArgumentError('Usage: APPEND mailbox … UTF8 (~{size} …)');
  return bytes;
}

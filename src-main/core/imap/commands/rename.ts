/**
 * RENAME existing new — RFC 3501 §6.3.5. Children move too; renaming INBOX moves its
 * messages into the new mailbox and leaves INBOX empty.
 */
import { expectCount, mailboxName } from '../args.js';
import type { ImapCommand } from '../command.js';
import { ok } from '../response.js';
import { AUTHENTICATED } from '../state.js';
import { loggedIn } from './mailboxes.js';

export const rename: ImapCommand = {
  name: 'RENAME',
  states: AUTHENTICATED,
  async handle(ctx, args) {
    expectCount(args, 2);
    const from = mailboxName(args[0], ctx);
    const to = mailboxName(args[1], ctx).replace(/\/$/, '');
    await loggedIn(ctx).store.renameMailbox(from, to);
    return ok('Rename completed.');
  },
};

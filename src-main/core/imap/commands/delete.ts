/**
 * DELETE mailbox — RFC 3501 §6.3.4. INBOX cannot be deleted; children stay (the parent then
 * shows as \NonExistent with \HasChildren). The selected mailbox cannot be deleted from itself.
 */
import { expectCount, mailboxName } from '../args.js';
import type { ImapCommand } from '../command.js';
import { no, ok } from '../response.js';
import { AUTHENTICATED } from '../state.js';
import { isSelected, loggedIn } from './mailboxes.js';

export const deleteCommand: ImapCommand = {
  name: 'DELETE',
  states: AUTHENTICATED,
  async handle(ctx, args) {
    expectCount(args, 1);
    const name = mailboxName(args[0], ctx);
    if (name === 'INBOX') return no('INBOX cannot be deleted.', 'CANNOT');
    if (isSelected(ctx, name)) return no('Close the mailbox before deleting it.', 'INUSE');
    await loggedIn(ctx).store.deleteMailbox(name);
    return ok('Delete completed.');
  },
};

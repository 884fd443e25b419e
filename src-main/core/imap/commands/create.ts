/**
 * CREATE mailbox — RFC 3501 §6.3.3. A trailing hierarchy separator is dropped; parents are
 * implied (Maildir++ needs no folder for them).
 */
import { expectCount, mailboxName } from '../args.js';
import type { ImapCommand } from '../command.js';
import { no, ok } from '../response.js';
import { AUTHENTICATED } from '../state.js';
import { loggedIn } from './mailboxes.js';

export const create: ImapCommand = {
  name: 'CREATE',
  states: AUTHENTICATED,
  async handle(ctx, args) {
    expectCount(args, 1);
    const name = mailboxName(args[0]).replace(/\/$/, '');
    if (name === 'INBOX') return no('INBOX always exists', 'ALREADYEXISTS');
    await loggedIn(ctx).store.createMailbox(name);
    return ok('Create completed.');
  },
};

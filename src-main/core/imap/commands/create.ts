/**
 * CREATE mailbox — RFC 3501 §6.3.3. A trailing hierarchy separator is dropped; parents are
 * implied (Maildir++ needs no folder for them).
 *
 *   create = "CREATE" SP mailbox [create-params]        ; RFC 4466 §2.2
 *   create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"   ; RFC 6154 §6
 *
 * Whatever follows the name (RFC 6154 §3's `(USE (\Sent))` included) is accepted and ignored,
 * as Dovecot 2.3 does: special use comes from the mailbox's name (`store/special-use.ts`), as in
 * Dovecot from its configuration, and neither server announces CREATE-SPECIAL-USE, so a client
 * learns the attribute from LIST, never from CREATE.
 */
import { ArgumentError, mailboxName } from '../args.js';
import type { ImapCommand } from '../command.js';
import { no, ok } from '../response.js';
import { AUTHENTICATED } from '../state.js';
import { loggedIn } from './mailboxes.js';

export const create: ImapCommand = {
  name: 'CREATE',
  states: AUTHENTICATED,
  async handle(ctx, args) {
    if (args.length === 0) throw new ArgumentError('Usage: CREATE mailbox');
    const name = mailboxName(args[0], ctx).replace(/\/$/, '');
    if (name === 'INBOX') return no('INBOX always exists', 'ALREADYEXISTS');
    await loggedIn(ctx).store.createMailbox(name);
    return ok('Create completed.');
  },
};

/** SUBSCRIBE / UNSUBSCRIBE mailbox — RFC 3501 §6.3.6, §6.3.7. */
import { expectCount, mailboxName } from '../args.js';
import type { ImapCommand } from '../command.js';
import { ok } from '../response.js';
import { AUTHENTICATED } from '../state.js';
import { loggedIn } from './mailboxes.js';

export const subscribe: ImapCommand = {
  name: 'SUBSCRIBE',
  states: AUTHENTICATED,
  async handle(ctx, args) {
    expectCount(args, 1);
    await loggedIn(ctx).store.setSubscribed(mailboxName(args[0], ctx), true);
    return ok('Subscribe completed.');
  },
};

export const unsubscribe: ImapCommand = {
  name: 'UNSUBSCRIBE',
  states: AUTHENTICATED,
  async handle(ctx, args) {
    expectCount(args, 1);
    await loggedIn(ctx).store.setSubscribed(mailboxName(args[0], ctx), false);
    return ok('Unsubscribe completed.');
  },
};

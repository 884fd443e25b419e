/** LOGIN userid password — RFC 3501 §6.2.3. */
import { astring, expectCount } from '../args.js';
import type { ImapCommand } from '../command.js';
import { completeLogin, loginRefused } from '../login-policy.js';
import { bad } from '../response.js';
import { NOT_AUTHENTICATED } from '../state.js';

export const login: ImapCommand = {
  name: 'LOGIN',
  states: NOT_AUTHENTICATED,
  async handle(ctx, args) {
    const refused = loginRefused(ctx);
    if (refused) return refused;
    expectCount(args, 2);
    const user = astring(args[0]);
    const password = astring(args[1]);
    if (user === undefined || password === undefined) return bad('Usage: LOGIN user password');
    return completeLogin(ctx, user, password);
  },
};

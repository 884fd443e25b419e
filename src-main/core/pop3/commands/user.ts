/**
 * USER name — RFC 1939 §7. Valid in AUTHORIZATION; PASS must follow.
 */
import type { Pop3Command } from '../command.js';
import { loginRefused } from '../login.js';

export const user: Pop3Command = {
  name: 'USER',
  states: ['authorization'],
  handle(ctx, args) {
    if (loginRefused(ctx)) return;
    const name = args.trim();
    if (!name) {
      ctx.countBad();
      ctx.err('USER needs a name.');
      return;
    }
    ctx.state = { kind: 'authorization', user: name };
    ctx.ok('Send your password with PASS.');
  },
};

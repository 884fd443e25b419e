/**
 * PASS string — RFC 1939 §7. The password is the rest of the line (it may contain spaces).
 */
import type { Pop3Command } from '../command.js';
import { completeLogin, loginRefused } from '../login.js';

export const pass: Pop3Command = {
  name: 'PASS',
  states: ['authorization'],
  async handle(ctx, args) {
    if (loginRefused(ctx)) return;
    const state = ctx.state;
    if (state.kind !== 'authorization' || state.user === undefined) {
      ctx.countBad();
      ctx.err('Send USER first.');
      return;
    }
    ctx.state = { kind: 'authorization' };
    await completeLogin(ctx, state.user, args);
  },
};

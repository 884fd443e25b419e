/** CAPABILITY — RFC 3501 §6.1.1. */
import type { ImapCommand } from '../command.js';
import { ok } from '../response.js';
import { ANY_STATE } from '../state.js';

export const capability: ImapCommand = {
  name: 'CAPABILITY',
  states: ANY_STATE,
  handle(ctx) {
    ctx.untagged(`CAPABILITY ${ctx.capabilities().join(' ')}`);
    return ok('Capability completed.');
  },
};

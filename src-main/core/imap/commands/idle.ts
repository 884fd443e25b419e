/** IDLE — RFC 2177: changes are pushed at once until the client sends DONE. */
import type { ImapCommand } from '../command.js';
import { bad } from '../response.js';
import { AUTHENTICATED } from '../state.js';

export const idle: ImapCommand = {
  name: 'IDLE',
  states: AUTHENTICATED,
  handle: (ctx, args) => (args.length ? bad('IDLE takes no arguments') : ctx.idle()),
};

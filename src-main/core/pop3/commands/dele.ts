/**
 * DELE msg — RFC 1939 §5: marks the message; the file is removed only at QUIT (UPDATE state).
 */
import { messageNumber, transaction, type Pop3Command } from '../command.js';
import { noSuchMessage } from './messages.js';

export const dele: Pop3Command = {
  name: 'DELE',
  states: ['transaction'],
  handle(ctx, args) {
    const state = transaction(ctx);
    const arg = args.trim();
    const n = messageNumber(state, arg);
    if (n === undefined) return noSuchMessage(ctx, arg);
    if (state.deleted.has(n)) {
      ctx.err(`Message ${n} is already deleted.`);
      return;
    }
    state.deleted.add(n);
    ctx.ok(`Message ${n} deleted.`);
  },
};

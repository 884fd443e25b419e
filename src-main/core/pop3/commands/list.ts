/**
 * LIST [msg] — RFC 1939 §5: the CRLF size of one message, or of every message not deleted.
 */
import { messageNumber, transaction, type Pop3Command } from '../command.js';
import { eachLiveMessage, noSuchMessage } from './messages.js';

export const list: Pop3Command = {
  name: 'LIST',
  states: ['transaction'],
  handle(ctx, args) {
    const state = transaction(ctx);
    const arg = args.trim();
    if (arg) {
      const n = messageNumber(state, arg);
      if (n === undefined || state.deleted.has(n)) return noSuchMessage(ctx, arg);
      ctx.ok(`${n} ${state.messages[n - 1]!.size}`);
      return;
    }
    const lines = eachLiveMessage(state, (n, message) => `${n} ${message.size}`);
    ctx.multiline(`${lines.length} messages`, lines);
  },
};

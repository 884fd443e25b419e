/**
 * RETR msg — RFC 1939 §5: the whole message, dot-stuffed, streamed from disk.
 */
import { messageNumber, transaction, type Pop3Command } from '../command.js';
import { storeErrorText } from '../errors.js';
import { noSuchMessage } from './messages.js';

export const retr: Pop3Command = {
  name: 'RETR',
  states: ['transaction'],
  async handle(ctx, args) {
    const state = transaction(ctx);
    const arg = args.trim();
    const n = messageNumber(state, arg);
    if (n === undefined || state.deleted.has(n)) return noSuchMessage(ctx, arg);
    const message = state.messages[n - 1]!;
    let body;
    try {
      body = await state.mailbox.openMessage(message.uid);
    } catch (err) {
      ctx.err(storeErrorText(err, ctx.services.logger));
      return;
    }
    await ctx.sendMessage(`${message.size} octets`, body);
    state.retrieved.add(n);
  },
};

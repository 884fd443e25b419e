/**
 * RETR msg — RFC 1939 §5: the whole message, dot-stuffed.
 */
import { messageNumber, transaction, type Pop3Command } from '../command.js';
import { storeErrorText } from '../errors.js';
import { noSuchMessage } from './messages.js';

/** Messages up to this size are read whole and sent at once. */
const READ_WHOLE_MAX = 1024 * 1024;

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
      // Small messages in one read; large ones streamed, never held in memory.
      body =
        message.size <= READ_WHOLE_MAX
          ? await state.mailbox.readMessageWire(message.uid)
          : await state.mailbox.openMessage(message.uid);
    } catch (err) {
      ctx.err(storeErrorText(err, ctx.services.logger));
      return;
    }
    await ctx.sendMessage(`${message.size} octets`, body);
    state.retrieved.add(n);
  },
};

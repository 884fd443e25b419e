/**
 * TOP msg n — RFC 1939 §7: the header, the blank line, and the first n lines of the body.
 */
import { messageNumber, transaction, type Pop3Command } from '../command.js';
import { storeErrorText } from '../errors.js';
import { noSuchMessage } from './messages.js';

export const top: Pop3Command = {
  name: 'TOP',
  states: ['transaction'],
  async handle(ctx, args) {
    const state = transaction(ctx);
    const [msg, lines, extra] = args.trim().split(/\s+/);
    if (!msg || !lines || extra !== undefined || !/^\d{1,9}$/.test(lines)) {
      ctx.countBad();
      ctx.err('Usage: TOP <message> <lines>');
      return;
    }
    const n = messageNumber(state, msg);
    if (n === undefined || state.deleted.has(n)) return noSuchMessage(ctx, msg);
    let body;
    try {
      body = await state.mailbox.openMessage(state.messages[n - 1]!.uid);
    } catch (err) {
      ctx.err(storeErrorText(err, ctx.services.logger));
      return;
    }
    await ctx.sendMessage('Top of message follows', body, Number(lines));
  },
};

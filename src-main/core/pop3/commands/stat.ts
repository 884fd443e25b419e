/**
 * STAT — RFC 1939 §5: `+OK <count> <octets>` of the messages not marked deleted; octets are
 * the CRLF sizes the client will receive.
 */
import { transaction, type Pop3Command } from '../command.js';

export const stat: Pop3Command = {
  name: 'STAT',
  states: ['transaction'],
  handle(ctx) {
    const state = transaction(ctx);
    let count = 0;
    let octets = 0;
    state.messages.forEach((message, index) => {
      if (state.deleted.has(index + 1)) return;
      count += 1;
      octets += message.size;
    });
    ctx.ok(`${count} ${octets}`);
  },
};

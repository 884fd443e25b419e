/** NOOP — RFC 1939 §5. */
import type { Pop3Command } from '../command.js';

export const noop: Pop3Command = {
  name: 'NOOP',
  states: ['transaction'],
  handle(ctx) {
    ctx.ok('');
  },
};

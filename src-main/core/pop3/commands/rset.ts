/**
 * RSET — RFC 1939 §5: unmarks every message marked by DELE in this session. Like Dovecot, it
 * also forgets which messages were retrieved, so QUIT then marks none of them \Seen: RSET
 * undoes the session's changes.
 */
import { transaction, type Pop3Command } from '../command.js';

export const rset: Pop3Command = {
  name: 'RSET',
  states: ['transaction'],
  handle(ctx) {
    const state = transaction(ctx);
    state.deleted.clear();
    state.retrieved.clear();
    ctx.ok(`${state.messages.length} messages, none marked deleted.`);
  },
};

/**
 * STARTTLS — RFC 3501 §6.2.1. The handshake starts after the tagged OK; commands the client
 * pipelined behind STARTTLS are discarded (the session does that).
 */
import type { ImapCommand } from '../command.js';
import { bad, no, ok } from '../response.js';
import { NOT_AUTHENTICATED } from '../state.js';

export const starttls: ImapCommand = {
  name: 'STARTTLS',
  states: NOT_AUTHENTICATED,
  handle(ctx, args) {
    if (args.length) return bad('STARTTLS takes no arguments');
    if (ctx.secure) return bad('TLS is already active');
    if (!ctx.startTls) return no('TLS is not available on this port');
    ctx.startTls();
    return ok('Begin TLS negotiation now.');
  },
};

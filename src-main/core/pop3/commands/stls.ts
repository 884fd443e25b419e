/**
 * STLS — RFC 2595 §4. After `+OK` the TLS handshake starts; anything the client sent after
 * STLS in the same burst is discarded by the connection (plaintext injection, CVE-2011-0411).
 */
import type { Pop3Command } from '../command.js';

export const stls: Pop3Command = {
  name: 'STLS',
  states: ['authorization'],
  async handle(ctx) {
    if (ctx.secure) {
      ctx.countBad();
      ctx.err('This connection is already secured with TLS.');
      return;
    }
    if (!ctx.startTls) {
      ctx.countBad();
      ctx.err('TLS is not available on this port.');
      return;
    }
    ctx.ok('Begin TLS negotiation now.');
    await ctx.startTls();
  },
};

/**
 * CAPA — RFC 2449 §5. Lists what this connection can do now: USER and SASL only where a
 * login would be accepted, STLS only on a cleartext connection that can upgrade.
 */
import type { Pop3Command } from '../command.js';

export const capa: Pop3Command = {
  name: 'CAPA',
  states: ['authorization', 'transaction'],
  handle(ctx) {
    const lines = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
    const loginAllowed = ctx.secure || ctx.services.policy().loginPolicy === 'plaintext';
    if (ctx.state.kind === 'authorization') {
      if (loginAllowed) lines.push('USER', 'SASL PLAIN');
      if (!ctx.secure && ctx.startTls) lines.push('STLS');
    }
    lines.push('IMPLEMENTATION Mailport');
    ctx.multiline('Capability list follows', lines);
  },
};

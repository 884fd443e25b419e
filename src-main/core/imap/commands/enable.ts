/**
 * ENABLE capability... — RFC 5161. CONDSTORE (RFC 7162 §3.1) and QRESYNC (§3.2.3, which turns
 * CONDSTORE on too) can be enabled; unknown names are ignored as the RFC requires.
 */
import type { ImapCommand, ImapContext } from '../command.js';
import { bad, ok } from '../response.js';
import { AUTHENTICATED } from '../state.js';
import { CONDSTORE, enableCondstore } from '../condstore.js';
import { enableQresync, QRESYNC } from '../qresync.js';

/** What each name turns on; true when it was off. */
const ENABLEABLE: Readonly<Record<string, (ctx: ImapContext) => boolean>> = {
  [CONDSTORE]: enableCondstore,
  [QRESYNC]: enableQresync,
};

export const enable: ImapCommand = {
  name: 'ENABLE',
  states: AUTHENTICATED,
  handle(ctx, args) {
    if (args.length === 0) return bad('Usage: ENABLE capability...');
    const turnedOn: string[] = [];
    for (const t of args) {
      const name = t.type === 'atom' ? t.value.toUpperCase() : '';
      // Listed even when already on, as Dovecot does (RFC 5161 §3.2 allows either).
      const turnOn = ENABLEABLE[name];
      if (!turnOn || turnedOn.includes(name)) continue;
      turnOn(ctx);
      turnedOn.push(name);
    }
    ctx.untagged(`ENABLED${turnedOn.map((n) => ` ${n}`).join('')}`);
    return ok('Enabled.');
  },
};

/**
 * ENABLE capability... — RFC 5161. No extension offered here needs enabling yet, so the
 * untagged ENABLED lists none; unknown names are ignored as the RFC requires.
 */
import type { ImapCommand } from '../command.js';
import { bad, ok } from '../response.js';
import { AUTHENTICATED } from '../state.js';

const ENABLEABLE = new Set<string>();

export const enable: ImapCommand = {
  name: 'ENABLE',
  states: AUTHENTICATED,
  handle(ctx, args) {
    if (args.length === 0) return bad('Usage: ENABLE capability...');
    const turnedOn: string[] = [];
    for (const t of args) {
      const name = t.type === 'atom' ? t.value.toUpperCase() : '';
      if (ENABLEABLE.has(name) && !ctx.enabled.has(name)) {
        ctx.enabled.add(name);
        turnedOn.push(name);
      }
    }
    ctx.untagged(`ENABLED${turnedOn.map((n) => ` ${n}`).join('')}`);
    return ok('Enabled.');
  },
};

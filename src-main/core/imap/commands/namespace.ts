/** NAMESPACE — RFC 2342: one personal namespace, no prefix, "/" between levels. */
import type { ImapCommand } from '../command.js';
import { ok } from '../response.js';
import { AUTHENTICATED } from '../state.js';

export const namespace: ImapCommand = {
  name: 'NAMESPACE',
  states: AUTHENTICATED,
  handle(ctx) {
    ctx.untagged('NAMESPACE (("" "/")) NIL NIL');
    return ok('Namespace completed.');
  },
};

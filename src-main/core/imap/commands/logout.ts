/** LOGOUT — RFC 3501 §6.1.3: `* BYE`, the tagged OK, then the server closes. */
import type { ImapCommand } from '../command.js';
import { ok } from '../response.js';
import { ANY_STATE } from '../state.js';

export const logout: ImapCommand = {
  name: 'LOGOUT',
  states: ANY_STATE,
  async handle(ctx) {
    ctx.untagged('BYE Logging out');
    const state = ctx.state;
    ctx.state = { kind: 'logout' };
    if (state.kind === 'selected') await state.view.close();
    ctx.logout();
    return ok('Logout completed.');
  },
};

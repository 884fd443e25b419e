/** ID — RFC 2971: notes the client's name for the log, answers with ours. */
import type { ImapCommand } from '../command.js';
import { ok } from '../response.js';
import { ANY_STATE } from '../state.js';

export const id: ImapCommand = {
  name: 'ID',
  states: ANY_STATE,
  handle(ctx, args) {
    const fields = args[0]?.type === 'list' ? args[0].items : [];
    const client: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length && i < 60; i += 2) {
      const key = fields[i]!;
      const value = fields[i + 1]!;
      if (key.type === 'string' && value.type === 'string') {
        client[key.value.toString('utf8').slice(0, 30)] = value.value
          .toString('utf8')
          .slice(0, 200);
      }
    }
    if (Object.keys(client).length)
      ctx.services.logger.info({ client, remote: ctx.remoteAddress }, 'IMAP client ID');
    ctx.untagged('ID ("name" "Mailport")');
    return ok('ID completed.');
  },
};

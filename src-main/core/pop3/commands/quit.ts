/**
 * QUIT — RFC 1939 §6. From TRANSACTION it enters UPDATE: messages marked by DELE are removed,
 * retrieved ones are marked \Seen (as Dovecot does), the maildrop lock is released. A session
 * that ends any other way changes nothing.
 */
import type { Pop3Command } from '../command.js';
import { storeErrorText } from '../errors.js';

export const quit: Pop3Command = {
  name: 'QUIT',
  states: ['authorization', 'transaction'],
  async handle(ctx) {
    const state = ctx.state;
    if (state.kind !== 'transaction') {
      ctx.ok('Logging out.');
      ctx.close();
      return;
    }
    ctx.state = { kind: 'update' };
    try {
      const uidOf = (n: number): number => state.messages[n - 1]!.uid;
      for (const n of state.retrieved) {
        if (state.deleted.has(n)) continue;
        await state.mailbox.updateFlags(uidOf(n), 'add', ['\\Seen']).catch(() => undefined);
      }
      const wanted = [...state.deleted].map(uidOf);
      const removed = await state.mailbox.expunge(wanted);
      ctx.services.logger.info(
        { account: state.account.name, deleted: removed.length },
        'POP3 update',
      );
      ctx.ok(removed.length ? `Logging out, ${removed.length} messages deleted.` : 'Logging out.');
    } catch (err) {
      ctx.err(
        `${storeErrorText(err, ctx.services.logger)} Some messages may not have been deleted.`,
      );
    } finally {
      await state.mailbox.close();
      state.releaseLock();
      ctx.close();
    }
  },
};

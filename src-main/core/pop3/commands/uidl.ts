/**
 * UIDL [msg] — RFC 1939 §7. The unique id is Dovecot's default form `%08Xu%08Xv`: the IMAP
 * UID and the mailbox UIDVALIDITY, eight hex digits each, in lower case as Dovecot prints `%X`.
 * It survives restarts (it comes from dovecot-uidlist) and matches what Dovecot shows for the
 * same Maildir, so a phone moving between the two does not download everything again (clients
 * compare UIDLs as opaque strings, case included).
 */
import { messageNumber, transaction, type Pop3Command } from '../command.js';
import { eachLiveMessage, noSuchMessage } from './messages.js';

export function uidlOf(uid: number, uidValidity: number): string {
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  return hex(uid) + hex(uidValidity);
}

export const uidl: Pop3Command = {
  name: 'UIDL',
  states: ['transaction'],
  handle(ctx, args) {
    const state = transaction(ctx);
    const arg = args.trim();
    if (arg) {
      const n = messageNumber(state, arg);
      if (n === undefined || state.deleted.has(n)) return noSuchMessage(ctx, arg);
      ctx.ok(`${n} ${uidlOf(state.messages[n - 1]!.uid, state.uidValidity)}`);
      return;
    }
    const lines = eachLiveMessage(state, (n, m) => `${n} ${uidlOf(m.uid, state.uidValidity)}`);
    ctx.multiline('Unique-ID listing follows', lines);
  },
};

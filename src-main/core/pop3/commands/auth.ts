/**
 * AUTH [mechanism [initial-response]] — RFC 5034 (SASL), RFC 4616 (PLAIN).
 * Without a mechanism, lists the mechanisms (the older form many clients still send).
 * The PLAIN message is `[authzid] NUL authcid NUL passwd`; an authzid other than the
 * authcid is refused (no proxy logins).
 */
import type { Pop3Command } from '../command.js';
import { completeLogin, loginRefused } from '../login.js';

export const auth: Pop3Command = {
  name: 'AUTH',
  states: ['authorization'],
  async handle(ctx, args) {
    const [mechanism, initial] = args.trim().split(/\s+/, 2);
    if (!mechanism) {
      ctx.multiline('Supported mechanisms:', ['PLAIN']);
      return;
    }
    if (loginRefused(ctx)) return;
    if (mechanism.toUpperCase() !== 'PLAIN') {
      ctx.countBad();
      ctx.err(`Unsupported authentication mechanism ${mechanism}: use PLAIN.`);
      return;
    }
    // RFC 5034 §4: "=" is an empty initial response; none means ask with an empty challenge.
    const response = initial ?? (await ctx.continuation(''));
    if (response === '*') {
      ctx.err('Authentication cancelled.');
      return;
    }
    const credentials = decodePlain(initial === '=' ? '' : response);
    if (!credentials) {
      ctx.countBad();
      ctx.err('[AUTH] Authentication failed: malformed PLAIN response.');
      return;
    }
    await completeLogin(ctx, credentials.user, credentials.password);
  },
};

function decodePlain(base64: string): { user: string; password: string } | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return undefined;
  const parts = Buffer.from(base64, 'base64').toString('utf8').split('\0');
  if (parts.length !== 3) return undefined;
  const [authzid, user, password] = parts as [string, string, string];
  if (!user || (authzid && authzid !== user)) return undefined;
  return { user, password };
}

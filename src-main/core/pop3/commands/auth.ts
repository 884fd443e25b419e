/**
 * AUTH [mechanism [initial-response]] — RFC 5034 (SASL), RFC 4616 (PLAIN).
 * Without a mechanism, lists the mechanisms (the older form many clients still send).
 * The PLAIN message is `[authzid] NUL authcid NUL passwd`; an authzid other than the
 * authcid is refused (no proxy logins).
 */
import { decodeSaslPlain } from '../../auth/sasl-plain.js';
import type { Pop3Command } from '../command.js';
import { completeLogin, loginRefused } from '../login.js';
import { quoteInput } from '../../net/client-text.js';
import { MAX_LINE_BYTES } from '../limits.js';

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
      ctx.err(`Unsupported authentication mechanism ${quoteInput(mechanism)}: use PLAIN.`);
      return;
    }
    // RFC 5034 §4: "=" is an empty initial response; none means ask with an empty challenge.
    const response = initial ?? (await ctx.continuation(''));
    if (response === undefined) {
      // RFC 5034 §4: a response the server cannot take fails the exchange with -ERR.
      ctx.countBad();
      ctx.err(`Authentication failed: response too long (the limit is ${MAX_LINE_BYTES} octets).`);
      return;
    }
    if (response === '*') {
      ctx.err('Authentication cancelled.');
      return;
    }
    const credentials = decodeSaslPlain(initial === '=' ? '' : response);
    if (!credentials) {
      ctx.countBad();
      ctx.err('[AUTH] Authentication failed: malformed PLAIN response.');
      return;
    }
    await completeLogin(ctx, credentials.user, credentials.password);
  },
};

/**
 * AUTHENTICATE PLAIN [initial-response] — RFC 3501 §6.2.2, RFC 4959 (SASL-IR), RFC 4616.
 * "=" is an empty initial response; "*" cancels. An authzid other than the user is refused.
 */
import { atom } from '../args.js';
import { decodeSaslPlain } from '../../auth/sasl-plain.js';
import type { ImapCommand } from '../command.js';
import { completeLogin, loginRefused } from '../login-policy.js';
import { bad, no } from '../response.js';
import { NOT_AUTHENTICATED } from '../state.js';
import { quoteInput } from '../../net/client-text.js';

export const authenticate: ImapCommand = {
  name: 'AUTHENTICATE',
  states: NOT_AUTHENTICATED,
  async handle(ctx, args) {
    const mechanism = atom(args[0])?.toUpperCase();
    if (!mechanism || args.length > 2) return bad('Usage: AUTHENTICATE PLAIN [initial-response]');
    const refused = loginRefused(ctx);
    if (refused) return refused;
    if (mechanism !== 'PLAIN')
      return no(`Unsupported mechanism ${quoteInput(mechanism)}`, 'CANNOT');
    const initial = atom(args[1]);
    const response =
      initial === undefined ? await ctx.continuation('') : initial === '=' ? '' : initial;
    if (response === '*') return bad('Authentication cancelled');
    const credentials = decodeSaslPlain(response);
    if (!credentials) return no('Authentication failed.', 'AUTHENTICATIONFAILED');
    return completeLogin(ctx, credentials.user, credentials.password);
  },
};

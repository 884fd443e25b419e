/** The part of logging in that LOGIN and AUTHENTICATE share. */
import type { LoginResult } from '../auth/login-result.js';
import { throttledText } from '../auth/throttled-text.js';
import type { ImapContext } from './command.js';
import { no, ok, type CommandResult } from './response.js';
import { ensureSpecialUseMailboxes } from '../store/special-use.js';

/** RFC 3501 §6.2.3: refused on a cleartext connection under the `secure` policy. */
export function loginRefused(ctx: ImapContext): CommandResult | undefined {
  if (ctx.secure || ctx.services.policy().loginPolicy === 'plaintext') return undefined;
  return no(
    ctx.startTls
      ? 'Plain-text sign-in is disabled: use STARTTLS first, or the IMAPS (implicit TLS) port.'
      : 'Plain-text sign-in is disabled: connect to the IMAPS (implicit TLS) port.',
    'PRIVACYREQUIRED',
  );
}

export async function completeLogin(
  ctx: ImapContext,
  user: string,
  password: string,
): Promise<CommandResult> {
  const result = await ctx.services.authenticate(user, password, ctx.client);
  if (!result.ok) return refusal(result);
  const { account } = result;
  const store = ctx.services.openStore(account);
  await ensureSpecialUseMailboxes(store); // RFC 6154: phones look for Sent, Drafts, Trash…
  ctx.state = { kind: 'authenticated', account, store };
  ctx.services.logger.info({ account: account.name, remote: ctx.remoteAddress }, 'IMAP login');
  return ok('Logged in', `CAPABILITY ${ctx.capabilities().join(' ')}`);
}

function refusal(result: Exclude<LoginResult, { ok: true }>): CommandResult {
  switch (result.reason) {
    case 'credentials':
      return no('Authentication failed.', 'AUTHENTICATIONFAILED');
    case 'throttled':
      return no(throttledText(result.scope, result.retryAfterSeconds, result.busy), 'UNAVAILABLE');
    case 'too-many-sessions':
      return no(`This account already has ${result.limit} connections open.`, 'LIMIT');
  }
}

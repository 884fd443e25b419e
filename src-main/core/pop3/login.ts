/**
 * The part of logging in that USER/PASS and AUTH share: the login policy, failure handling
 * and opening the maildrop with its RFC 1939 §8 lock.
 */
import type { Account } from '../config/schema.js';
import { throttledText } from '../auth/throttled-text.js';
import type { Pop3Context } from './command.js';
import { storeErrorText } from './errors.js';

/** Refuses credentials on a cleartext connection under the `secure` policy (RFC 2595 §3.2). */
export function loginRefused(ctx: Pop3Context): boolean {
  if (ctx.secure || ctx.services.policy().loginPolicy === 'plaintext') return false;
  ctx.countBad();
  ctx.err(
    ctx.startTls
      ? '[AUTH] Plain-text sign-in is disabled: use STLS first, or the POP3S (implicit TLS) port.'
      : '[AUTH] Plain-text sign-in is disabled: connect to the POP3S (implicit TLS) port.',
  );
  return true;
}

export async function completeLogin(
  ctx: Pop3Context,
  user: string,
  password: string,
): Promise<void> {
  const result = await ctx.services.authenticate(user, password, ctx.client);
  if (result.ok) {
    await openMaildrop(ctx, result.account);
    return;
  }
  ctx.countBad();
  switch (result.reason) {
    case 'credentials':
      ctx.err('[AUTH] Authentication failed.');
      return;
    case 'throttled':
      ctx.err(
        `[LOGIN-DELAY] ${throttledText(result.scope, result.retryAfterSeconds, result.busy)}`,
      );
      return;
    case 'too-many-sessions':
      ctx.err(`[IN-USE] This account already has ${result.limit} connections open.`);
      return;
  }
}

async function openMaildrop(ctx: Pop3Context, account: Account): Promise<void> {
  const store = ctx.services.openStore(account);
  let releaseLock: () => void;
  try {
    releaseLock = store.lockMaildrop();
  } catch (err) {
    ctx.err(storeErrorText(err, ctx.services.logger));
    return;
  }
  try {
    const mailbox = await store.openMailbox('INBOX');
    const status = await mailbox.sync();
    ctx.state = {
      kind: 'transaction',
      account,
      mailbox,
      uidValidity: status.uidValidity,
      messages: status.messages,
      deleted: new Set(),
      retrieved: new Set(),
      releaseLock,
    };
    ctx.services.logger.info(
      { account: account.name, messages: status.messages.length },
      'POP3 login',
    );
    ctx.ok('Logged in.');
  } catch (err) {
    releaseLock();
    ctx.err(storeErrorText(err, ctx.services.logger));
  }
}

/**
 * Which envelope senders (MAIL FROM) an account may submit with (RFC 6409 §4.1 lets a
 * submission server refuse a sender the user is not entitled to). The account's `senders`
 * list, or, when that is empty, the account's own name if it is an address: most people
 * name the account after their address, and then need no extra step. Any other address must
 * be added (`mailport account senders add`): nobody's phone can send as someone else.
 */
import { MAIL_ADDRESS, type Account } from '../config/schema.js';

export function allowedSenders(account: Account): string[] {
  if (account.senders?.length) return account.senders;
  return MAIL_ADDRESS.test(account.name) ? [account.name] : [];
}

/** Addresses compare without regard to case (in practice providers treat them so). */
export function maySendAs(account: Account, address: string): boolean {
  const wanted = address.toLowerCase();
  return allowedSenders(account).some((a) => a.toLowerCase() === wanted);
}

/** Why a sender is refused, and what to do about it, for the 550 reply and the log. */
export function senderRefusal(account: Account, address: string): string {
  const allowed = allowedSenders(account);
  const add = `add it with \`mailport account senders add ${account.name} ${address || 'ADDRESS'}\``;
  return allowed.length
    ? `${address || 'The empty sender'} is not an address this account may send from (it may use ${allowed.join(', ')}); ${add}`
    : `This account has no sender address yet: ${add}`;
}

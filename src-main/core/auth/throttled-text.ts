/** What a throttled login is told, the same in IMAP and POP3 (each adds its own code). */
import type { ThrottleScope } from './throttle.js';

/** "Too many failed" only when failures caused it; `busy` is a crowd of honest attempts. */
export function throttledText(
  scope: ThrottleScope,
  retryAfterSeconds: number,
  busy = false,
): string {
  if (busy) {
    return scope === 'address'
      ? `Too many sign-ins at once from here. Try again in ${retryAfterSeconds} seconds.`
      : `Too many sign-ins at once to this account. Try again in ${retryAfterSeconds} seconds.`;
  }
  return scope === 'address'
    ? `Too many failed sign-ins from here. Try again in ${retryAfterSeconds} seconds.`
    : `Too many failed sign-ins to this account from elsewhere. Try again in ${retryAfterSeconds} seconds, or from a device that signed in to it before.`;
}

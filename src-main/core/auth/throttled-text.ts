/** What a throttled login is told, the same in IMAP and POP3 (each adds its own code). */
import type { ThrottleScope } from './throttle.js';

export function throttledText(scope: ThrottleScope, retryAfterSeconds: number): string {
  return scope === 'address'
    ? `Too many failed sign-ins from here. Try again in ${retryAfterSeconds} seconds.`
    : `Too many failed sign-ins to this account from elsewhere. Try again in ${retryAfterSeconds} seconds, or from a device that signed in to it before.`;
}

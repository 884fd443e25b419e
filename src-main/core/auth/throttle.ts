/**
 * Failed-login throttling. Every failure is answered late (FAILED_LOGIN_DELAY_MS). After a few
 * failures an address is blocked with a doubling backoff; after more failures an account is
 * blocked the same way — except for addresses that signed in to it successfully before, so a
 * guessing attack from elsewhere cannot lock the owner's own phone out. Other addresses and
 * other accounts are never slowed. State is in memory: a restart forgives.
 */

export const FAILED_LOGIN_DELAY_MS = 1_000;
/** Failures from one address before it is blocked. */
export const ADDRESS_FAILURES_ALLOWED = 5;
/** Failures on one account (from any address) before it is blocked for unknown addresses. */
export const ACCOUNT_FAILURES_ALLOWED = 10;
export const FIRST_BLOCK_MS = 30_000;
export const MAX_BLOCK_MS = 30 * 60_000;
/** A quiet period after which an address's or account's failures are forgotten. */
export const FORGET_AFTER_MS = 60 * 60_000;

interface Record {
  failures: number;
  blockedUntil: number;
  lastFailure: number;
}

export type ThrottleVerdict =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export class LoginThrottle {
  readonly #now: () => number;
  readonly #addresses = new Map<string, Record>();
  readonly #accounts = new Map<string, Record>();
  readonly #trusted = new Map<string, Set<string>>();

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Whether an attempt from `address` for `account` may be checked at all. */
  check(address: string, account: string): ThrottleVerdict {
    const now = this.#now();
    const blockedUntil = Math.max(
      this.#fresh(this.#addresses, address, now)?.blockedUntil ?? 0,
      this.#isTrusted(account, address)
        ? 0
        : (this.#fresh(this.#accounts, account.toLowerCase(), now)?.blockedUntil ?? 0),
    );
    return blockedUntil > now
      ? { allowed: false, retryAfterMs: blockedUntil - now }
      : { allowed: true };
  }

  failed(address: string, account: string): void {
    const now = this.#now();
    this.#count(this.#addresses, address, ADDRESS_FAILURES_ALLOWED, now);
    this.#count(this.#accounts, account.toLowerCase(), ACCOUNT_FAILURES_ALLOWED, now);
  }

  succeeded(address: string, account: string): void {
    this.#addresses.delete(address);
    const key = account.toLowerCase();
    let trusted = this.#trusted.get(key);
    if (!trusted) this.#trusted.set(key, (trusted = new Set()));
    trusted.add(address);
  }

  #isTrusted(account: string, address: string): boolean {
    return this.#trusted.get(account.toLowerCase())?.has(address) ?? false;
  }

  #fresh(map: Map<string, Record>, key: string, now: number): Record | undefined {
    const record = map.get(key);
    if (record && now - record.lastFailure > FORGET_AFTER_MS && record.blockedUntil < now) {
      map.delete(key);
      return undefined;
    }
    return record;
  }

  #count(map: Map<string, Record>, key: string, allowed: number, now: number): void {
    const record = this.#fresh(map, key, now) ?? { failures: 0, blockedUntil: 0, lastFailure: now };
    record.failures += 1;
    record.lastFailure = now;
    if (record.failures >= allowed) {
      const doublings = record.failures - allowed;
      record.blockedUntil =
        now + Math.min(FIRST_BLOCK_MS * 2 ** Math.min(doublings, 20), MAX_BLOCK_MS);
    }
    map.set(key, record);
  }
}

/**
 * Failed-login throttling, per address and per account.
 *
 * - An attempt takes a slot *before* its password is checked (`begin`, synchronous): N parallel
 *   attempts from one address get at most the address's allowance of password checks, and N
 *   addresses against one account at most the account's. A slot becomes a failure or is
 *   forgiven when the check ends.
 * - An attempt beyond the in-flight allowance is not a failure: `acquire` queues it (FIFO, at
 *   most MAX_WAITING_PER_ADDRESS per address) until a slot ends, so a phone opening several
 *   connections at once signs in on all of them. When its turn comes it is judged again: if the
 *   checks ahead of it failed into a block, it is refused as blocked. A waiter whose client
 *   goes away (the pre-login deadline closes it) leaves the queue.
 * - After ADDRESS_FAILURES_ALLOWED failures an address is blocked, after
 *   ACCOUNT_FAILURES_ALLOWED an account, each with a doubling backoff; once a block ends, one
 *   attempt at a time may try again (another failure doubles the block).
 * - A success forgives only that address's failures on that same account (a mistyped
 *   password), never its guesses at other accounts: signing in to one's own account does not
 *   reset the count of guesses at someone else's.
 * - The account block does not apply to addresses that signed in to *that* account before, so
 *   an attack from elsewhere cannot lock the owner's own phone out. Such an address still has
 *   its own address block, and only a success on that account makes an address trusted.
 *
 * Every failure is answered late (FAILED_LOGIN_DELAY_MS). State is in memory: a restart forgives.
 */

export const FAILED_LOGIN_DELAY_MS = 1_000;
/** Failures from one address before it is blocked. */
export const ADDRESS_FAILURES_ALLOWED = 5;
/** Failures on one account (from any address) before it is blocked for untrusted addresses. */
export const ACCOUNT_FAILURES_ALLOWED = 10;
export const FIRST_BLOCK_MS = 30_000;
export const MAX_BLOCK_MS = 30 * 60_000;
/** A quiet period after which an address's or account's failures are forgotten. */
export const FORGET_AFTER_MS = 60 * 60_000;
/** Records kept before forgotten ones are swept out (many guessed user names). */
export const SWEEP_ABOVE_RECORDS = 10_000;
/**
 * Attempts from one address waiting for a slot; more are refused as busy. Above the default
 * per-address connection cap (20), so only a raised cap can reach it.
 */
export const MAX_WAITING_PER_ADDRESS = 32;
/** What a busy refusal suggests: a check takes ~100 ms, so a few seconds is plenty. */
export const BUSY_RETRY_MS = 5_000;

/** Failures and in-flight attempts of one address or one account. */
class Tally {
  failures = 0;
  pending = 0;
  blockedUntil = 0;
  lastFailure = 0;
  /** Failures by the other side's key (an address's by account, an account's by address). */
  readonly bySource = new Map<string, number>();
  readonly #allowed: number;

  constructor(allowed: number) {
    this.#allowed = allowed;
  }

  /** Milliseconds until the failure block ends, or 0. */
  blockedMs(now: number): number {
    return Math.max(0, this.blockedUntil - now);
  }

  /** Whether the allowance of checks in flight is taken (failures shrink it, down to 1). */
  busy(): boolean {
    const inFlightAllowed = this.failures >= this.#allowed ? 1 : this.#allowed - this.failures;
    return this.pending >= inFlightAllowed;
  }

  fail(source: string, now: number): void {
    this.pending -= 1;
    this.failures += 1;
    this.lastFailure = now;
    this.bySource.set(source, (this.bySource.get(source) ?? 0) + 1);
    if (this.failures >= this.#allowed) {
      const doublings = Math.min(this.failures - this.#allowed, 20);
      this.blockedUntil = now + Math.min(FIRST_BLOCK_MS * 2 ** doublings, MAX_BLOCK_MS);
    }
  }

  /** A success: `source`'s own failures here are forgiven. */
  forgive(source: string): void {
    this.pending -= 1;
    this.failures -= this.bySource.get(source) ?? 0;
    this.bySource.delete(source);
  }

  forgotten(now: number): boolean {
    return (
      this.pending === 0 && this.blockedUntil < now && now - this.lastFailure > FORGET_AFTER_MS
    );
  }
}

/** A slot taken by `begin`: exactly one of these ends it (later calls do nothing). */
export interface LoginAttempt {
  readonly allowed: true;
  failed(): void;
  succeeded(): void;
  /** The check could not be made (a server error): the slot is freed, nothing counted. */
  abandon(): void;
}

export type ThrottleScope = 'address' | 'account';

/** Refused for failures (`busy` absent) or for too many attempts waiting at once (`busy`). */
export interface ThrottleRefusal {
  readonly allowed: false;
  readonly retryAfterMs: number;
  readonly scope: ThrottleScope;
  readonly busy?: true;
}

export type ThrottleVerdict = LoginAttempt | ThrottleRefusal;

/** `begin` when the allowance of checks in flight is taken: `acquire` waits instead. */
export type BeginResult =
  ThrottleVerdict | { readonly allowed: false; readonly wait: ThrottleScope };

interface Waiter {
  readonly address: string;
  readonly account: string;
  readonly settle: (verdict: ThrottleVerdict) => void;
}

export class LoginThrottle {
  readonly #now: () => number;
  readonly #addresses = new Map<string, Tally>();
  readonly #accounts = new Map<string, Tally>();
  /** Account → addresses that signed in to it. */
  readonly #trusted = new Map<string, Set<string>>();
  /** Attempts waiting for a slot, oldest first. */
  #waiters: Waiter[] = [];
  /** Address → how many of `#waiters` are its. */
  readonly #waiting = new Map<string, number>();

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Takes a slot for checking a password from `address` for `account`, waiting its turn while
   * the allowance of checks in flight is taken, until `gaveUp` settles (the client left).
   */
  acquire(
    address: string,
    accountName: string,
    gaveUp: Promise<unknown>,
  ): Promise<ThrottleVerdict> {
    const now = this.begin(address, accountName);
    if (!('wait' in now)) return Promise.resolve(now);
    const queued = this.#waiting.get(address) ?? 0;
    if (queued >= MAX_WAITING_PER_ADDRESS) {
      return Promise.resolve({
        allowed: false,
        retryAfterMs: BUSY_RETRY_MS,
        scope: now.wait,
        busy: true,
      });
    }
    this.#waiting.set(address, queued + 1);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        address,
        account: accountName,
        settle: (verdict) => {
          this.#unqueue(waiter);
          resolve(verdict);
        },
      };
      this.#waiters.push(waiter);
      void gaveUp.finally(() => {
        if (this.#waiters.includes(waiter))
          waiter.settle({
            allowed: false,
            retryAfterMs: BUSY_RETRY_MS,
            scope: now.wait,
            busy: true,
          });
      });
    });
  }

  /**
   * Takes a slot at once, or says why not: blocked by failures, or (`wait`) the allowance of
   * checks in flight is taken and the attempt should wait for one to end.
   */
  begin(address: string, accountName: string): BeginResult {
    const now = this.#now();
    const account = accountName.toLowerCase();
    const trusted = this.#trusted.get(account)?.has(address) ?? false;
    const byAddress = this.#tally(this.#addresses, address, ADDRESS_FAILURES_ALLOWED, now);
    const byAccount = this.#tally(this.#accounts, account, ACCOUNT_FAILURES_ALLOWED, now);
    const addressBlockedMs = byAddress.blockedMs(now);
    if (addressBlockedMs > 0)
      return { allowed: false, retryAfterMs: addressBlockedMs, scope: 'address' };
    const accountBlockedMs = trusted ? 0 : byAccount.blockedMs(now);
    if (accountBlockedMs > 0)
      return { allowed: false, retryAfterMs: accountBlockedMs, scope: 'account' };
    if (byAddress.busy()) return { allowed: false, wait: 'address' };
    if (!trusted && byAccount.busy()) return { allowed: false, wait: 'account' };
    byAddress.pending += 1;
    byAccount.pending += 1;
    let open = true;
    const end = (then: () => void): void => {
      if (!open) return;
      open = false;
      then();
      this.#wake();
    };
    return {
      allowed: true,
      failed: () =>
        end(() => {
          const at = this.#now();
          byAddress.fail(account, at);
          byAccount.fail(address, at);
        }),
      succeeded: () =>
        end(() => {
          byAddress.forgive(account);
          byAccount.forgive(address);
          let addresses = this.#trusted.get(account);
          if (!addresses) this.#trusted.set(account, (addresses = new Set()));
          addresses.add(address);
        }),
      abandon: () =>
        end(() => {
          byAddress.pending -= 1;
          byAccount.pending -= 1;
        }),
    };
  }

  /** A slot ended: waiters, oldest first, take the free slots or learn they are now blocked. */
  #wake(): void {
    for (const waiter of [...this.#waiters]) {
      const verdict = this.begin(waiter.address, waiter.account);
      if (!('wait' in verdict)) waiter.settle(verdict);
    }
  }

  #unqueue(waiter: Waiter): void {
    this.#waiters = this.#waiters.filter((w) => w !== waiter);
    const left = (this.#waiting.get(waiter.address) ?? 1) - 1;
    if (left > 0) this.#waiting.set(waiter.address, left);
    else this.#waiting.delete(waiter.address);
  }

  #tally(map: Map<string, Tally>, key: string, allowed: number, now: number): Tally {
    let tally = map.get(key);
    if (tally?.forgotten(now)) tally = undefined;
    if (!tally) {
      if (map.size >= SWEEP_ABOVE_RECORDS) sweep(map, now);
      map.set(key, (tally = new Tally(allowed)));
    }
    return tally;
  }
}

function sweep(map: Map<string, Tally>, now: number): void {
  for (const [key, tally] of map) if (tally.forgotten(now)) map.delete(key);
}

import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_FAILURES_ALLOWED,
  ADDRESS_FAILURES_ALLOWED,
  FIRST_BLOCK_MS,
  LoginThrottle,
  MAX_WAITING_PER_ADDRESS,
  type LoginAttempt,
  type BeginResult,
} from '../../../src-main/core/auth/throttle.js';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function fail(t: LoginThrottle, address: string, account: string): void {
  const attempt = t.begin(address, account);
  if (!attempt.allowed) throw new Error(`throttled: ${address} ${account}`);
  attempt.failed();
}

function succeed(t: LoginThrottle, address: string, account: string): void {
  const attempt = t.begin(address, account);
  if (!attempt.allowed) throw new Error(`throttled: ${address} ${account}`);
  attempt.succeeded();
}

const allowed = (v: BeginResult): boolean => v.allowed;

describe('failed-login throttling', () => {
  it('blocks an address after repeated failures, with a growing backoff, and not others', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < ADDRESS_FAILURES_ALLOWED - 1; i++) fail(t, '10.0.0.9', `user${i}`);
    expect(allowed(t.begin('10.0.0.9', 'alice'))).toBe(true);
    const t2 = new LoginThrottle(c.now);
    for (let i = 0; i < ADDRESS_FAILURES_ALLOWED; i++) fail(t2, '10.0.0.9', `user${i}`);
    expect(t2.begin('10.0.0.9', 'alice')).toEqual({
      allowed: false,
      retryAfterMs: FIRST_BLOCK_MS,
      scope: 'address',
    });
    expect(allowed(t2.begin('10.0.0.10', 'alice'))).toBe(true);
    c.advance(FIRST_BLOCK_MS);
    fail(t2, '10.0.0.9', 'y');
    expect(t2.begin('10.0.0.9', 'alice')).toEqual({
      allowed: false,
      retryAfterMs: 2 * FIRST_BLOCK_MS,
      scope: 'address',
    });
  });

  it('takes the slot before the check: parallel attempts get at most the allowance', () => {
    const t = new LoginThrottle(clock().now);
    const verdicts = Array.from({ length: 20 }, () => t.begin('10.0.0.9', 'alice'));
    expect(verdicts.filter(allowed)).toHaveLength(ADDRESS_FAILURES_ALLOWED);
    const fromMany = new LoginThrottle(clock().now);
    const spread = Array.from({ length: 50 }, (_, i) => fromMany.begin(`10.1.${i}.1`, 'bob'));
    expect(spread.filter(allowed)).toHaveLength(ACCOUNT_FAILURES_ALLOWED);
  });

  it('after a block ends, lets one attempt at a time through', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < ADDRESS_FAILURES_ALLOWED; i++) fail(t, '10.0.0.9', 'a');
    c.advance(FIRST_BLOCK_MS);
    expect(allowed(t.begin('10.0.0.9', 'a'))).toBe(true);
    expect(allowed(t.begin('10.0.0.9', 'a'))).toBe(false);
  });

  it('does not forgive guesses at one account for a success on another', () => {
    const t = new LoginThrottle(clock().now);
    let guesses = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 2; i++) {
        const attempt = t.begin('10.0.0.9', 'victim');
        if (!attempt.allowed) continue;
        attempt.failed();
        guesses += 1;
      }
      const own = t.begin('10.0.0.9', 'mallory'); // blocked too, once the address is
      if (own.allowed) own.succeeded();
    }
    expect(guesses).toBe(ADDRESS_FAILURES_ALLOWED);
  });

  it('forgives an address its own mistyped passwords on the account it then signs in to', () => {
    const t = new LoginThrottle(clock().now);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < ADDRESS_FAILURES_ALLOWED - 1; i++) fail(t, '10.0.0.9', 'alice');
      succeed(t, '10.0.0.9', 'alice');
    }
    expect(allowed(t.begin('10.0.0.9', 'alice'))).toBe(true);
  });

  it('blocks an account under attack, but not for addresses its owner signed in from', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    succeed(t, '192.168.1.20', 'alice');
    succeed(t, '10.9.9.8', 'mallory'); // someone else's success trusts nobody for alice
    for (let i = 0; i < ACCOUNT_FAILURES_ALLOWED; i++) fail(t, `10.0.${i}.1`, 'Alice');
    expect(t.begin('10.9.9.9', 'alice')).toMatchObject({ allowed: false, scope: 'account' });
    expect(allowed(t.begin('10.9.9.8', 'alice'))).toBe(false);
    expect(allowed(t.begin('192.168.1.20', 'alice'))).toBe(true);
    expect(allowed(t.begin('10.9.9.9', 'bob'))).toBe(true);
  });

  it('keeps the address block for a trusted address', () => {
    const t = new LoginThrottle(clock().now);
    succeed(t, '192.168.1.20', 'alice');
    for (let i = 0; i < ADDRESS_FAILURES_ALLOWED; i++) fail(t, '192.168.1.20', `guess${i}`);
    expect(allowed(t.begin('192.168.1.20', 'alice'))).toBe(false);
  });

  it('frees an abandoned slot without counting it, and ends an attempt once', () => {
    const t = new LoginThrottle(clock().now);
    for (let i = 0; i < 20; i++) {
      const attempt = t.begin('10.0.0.9', 'a');
      if (!attempt.allowed) throw new Error('throttled');
      attempt.abandon();
      attempt.failed(); // ignored: the attempt already ended
    }
    expect(allowed(t.begin('10.0.0.9', 'a'))).toBe(true);
  });

  it('forgets failures after a quiet hour', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < ADDRESS_FAILURES_ALLOWED - 1; i++) fail(t, '10.0.0.9', 'a');
    c.advance(61 * 60_000);
    fail(t, '10.0.0.9', 'a');
    expect(allowed(t.begin('10.0.0.9', 'a'))).toBe(true);
  });

  it('queues attempts beyond the allowance and lets them through as slots end', async () => {
    const t = new LoginThrottle(clock().now);
    const never = new Promise<void>(() => undefined);
    const verdicts = Array.from({ length: 12 }, () => t.acquire('10.0.0.9', 'alice', never));
    let admitted = 0;
    for (const verdict of verdicts) {
      const attempt = (await verdict) as LoginAttempt;
      expect(attempt.allowed).toBe(true);
      admitted += 1;
      attempt.succeeded(); // frees a slot: the next waiter goes
    }
    expect(admitted).toBe(12);
  });

  it('refuses waiters as blocked when the checks ahead of them fail into a block', async () => {
    const t = new LoginThrottle(clock().now);
    const never = new Promise<void>(() => undefined);
    const verdicts = Array.from({ length: 12 }, () => t.acquire('10.0.0.9', 'alice', never));
    const first = await Promise.all(verdicts.slice(0, ADDRESS_FAILURES_ALLOWED));
    for (const attempt of first) (attempt as LoginAttempt).failed();
    const rest = await Promise.all(verdicts.slice(ADDRESS_FAILURES_ALLOWED));
    expect(rest.every((v) => !v.allowed && v.scope === 'address' && !v.busy)).toBe(true);
  });

  it('drops a waiter whose client left, and bounds the queue per address', async () => {
    const t = new LoginThrottle(clock().now);
    const never = new Promise<void>(() => undefined);
    for (let i = 0; i < ADDRESS_FAILURES_ALLOWED; i++) await t.acquire('10.0.0.9', 'a', never);
    let leave!: () => void;
    const left = t.acquire('10.0.0.9', 'a', new Promise<void>((r) => (leave = r)));
    leave();
    expect(await left).toMatchObject({ allowed: false, busy: true });
    const queued = Array.from({ length: MAX_WAITING_PER_ADDRESS }, () =>
      t.acquire('10.0.0.9', 'a', never),
    );
    expect(await t.acquire('10.0.0.9', 'a', never)).toMatchObject({ allowed: false, busy: true });
    expect(queued).toHaveLength(MAX_WAITING_PER_ADDRESS);
  });
});

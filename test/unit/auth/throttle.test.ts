import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_FAILURES_ALLOWED,
  ADDRESS_FAILURES_ALLOWED,
  FIRST_BLOCK_MS,
  LoginThrottle,
} from '../../../src-main/core/auth/throttle.js';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('failed-login throttling', () => {
  it('blocks an address after repeated failures, with a growing backoff, and not others', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < ADDRESS_FAILURES_ALLOWED - 1; i++) t.failed('10.0.0.9', `user${i}`);
    expect(t.check('10.0.0.9', 'alice')).toEqual({ allowed: true });
    t.failed('10.0.0.9', 'x');
    expect(t.check('10.0.0.9', 'alice')).toEqual({ allowed: false, retryAfterMs: FIRST_BLOCK_MS });
    expect(t.check('10.0.0.10', 'alice')).toEqual({ allowed: true });
    c.advance(FIRST_BLOCK_MS);
    expect(t.check('10.0.0.9', 'alice')).toEqual({ allowed: true });
    t.failed('10.0.0.9', 'y');
    expect(t.check('10.0.0.9', 'alice')).toEqual({
      allowed: false,
      retryAfterMs: 2 * FIRST_BLOCK_MS,
    });
  });

  it('blocks an account under attack, but not for addresses its owner signed in from', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    t.succeeded('192.168.1.20', 'alice');
    for (let i = 0; i < ACCOUNT_FAILURES_ALLOWED; i++) t.failed(`10.0.${i}.1`, 'Alice');
    expect(t.check('10.9.9.9', 'alice').allowed).toBe(false);
    expect(t.check('192.168.1.20', 'alice').allowed).toBe(true);
    expect(t.check('10.9.9.9', 'bob').allowed).toBe(true);
  });

  it('forgets failures after a quiet hour', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < ADDRESS_FAILURES_ALLOWED - 1; i++) t.failed('10.0.0.9', 'a');
    c.advance(61 * 60_000);
    t.failed('10.0.0.9', 'a');
    expect(t.check('10.0.0.9', 'a').allowed).toBe(true);
  });
});

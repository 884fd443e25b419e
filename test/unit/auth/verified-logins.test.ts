import { describe, expect, it } from 'vitest';
import {
  VERIFIED_LOGIN_TTL_MS,
  VerifiedLogins,
} from '../../../src-main/core/auth/verified-logins.js';

const alice = { name: 'Alice', maildir: '/m', passwordHash: 'scrypt$15$8$1$salt$hash' };

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('verified logins', () => {
  it('matches only the verified password, for the hash it was verified against', () => {
    const cache = new VerifiedLogins(clock().now);
    expect(cache.matches(alice, 'secret')).toBe(false);
    cache.remember('alice', alice.passwordHash, 'secret');
    expect(cache.matches(alice, 'secret')).toBe(true);
    expect(cache.matches(alice, 'Secret')).toBe(false);
    expect(cache.matches(alice, 'secret ')).toBe(false);
    expect(cache.matches({ ...alice, passwordHash: 'scrypt$15$8$1$salt$other' }, 'secret')).toBe(
      false,
    );
    expect(cache.matches(alice, 'secret')).toBe(false); // dropped on sight of the change
  });

  it('expires after the TTL and forgets an account at once', () => {
    const c = clock();
    const cache = new VerifiedLogins(c.now);
    cache.remember('alice', alice.passwordHash, 'secret');
    c.advance(VERIFIED_LOGIN_TTL_MS - 1);
    expect(cache.matches(alice, 'secret')).toBe(true);
    c.advance(1);
    expect(cache.matches(alice, 'secret')).toBe(false);
    cache.remember('alice', alice.passwordHash, 'secret');
    cache.forget('ALICE');
    expect(cache.matches(alice, 'secret')).toBe(false);
  });
});
